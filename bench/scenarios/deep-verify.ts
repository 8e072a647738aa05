// Deep verification (`verifyRepository({ deep: true })`) of repositories written by the real pgBackRest, on a
// posix path and on the S3 endpoint (its own process, encrypted), against `pgbackrest verify --process-max=N`
// on the same repository and against a floor (every stored object read, decrypted, decompressed and hashed,
// nothing else), the three interleaved in each round, with deep verification proving backup files by their stored
// bytes (`deepProof: 'stored'`, the proof `pgbackrest verify` gives) as a fourth and that proof's own floor (backup
// files read and hashed as stored, WAL decoded) as a fifth. Peak RSS of the verifier at each size.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSuccess, type PgBackRestStack, runProcess, startNativeStack } from '@chronos/pgbackrest/testing';
import { bySize, type Comparison, emit, type Figure, isSmoke, log, median, round3, time } from '../lib/measure.js';
import { startRemoteEndpoint } from '../lib/remote-endpoint.js';

const here = import.meta.dirname ?? '.';
/** Repository sizes to reach, in MiB (backups + WAL as stored); each step adds data, a full backup per repository. */
const sizes = bySize({ smoke: [8], quick: [128, 512], full: [512, 5120] });
/** `--rounds=N` overrides the mode's rounds (a 5 GiB step costs minutes a round on a shared machine). */
const roundsFlag = process.argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length);
const rounds = roundsFlag === undefined ? bySize({ smoke: 1, quick: 2, full: 3 }) : Number(roundsFlag);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer, not ${roundsFlag}`);
/** process-max for pgBackRest and concurrency for the verifier and the floor. */
const N = 2;
const repoPath = '/deep';

interface ProbeResult {
  ms: number;
  cpuMs: number;
  maxRssMiB: number;
  outcome?: string;
  bytes?: number;
  objects?: number;
  files?: number;
  segments?: number;
  findings?: string[];
  /** Deep verification: its wall time from its first step (`ms` is then the whole process's). */
  innerMs?: number;
  /** Reads the floor started again after the network cut them off. */
  retries?: number;
}

const directory = await mkdtemp(join(tmpdir(), 'chronos-bench-deep-'));
const endpoint = await startRemoteEndpoint(directory);
const caFile = join(directory, '..', `chronos-bench-deep-ca-${process.pid}.pem`);
const cipherPass = `bench-${Math.random().toString(36).slice(2)}`;
let stack: PgBackRestStack | undefined;
let cleaned: Promise<void> | undefined;
/** Stops PostgreSQL and the endpoint and removes their files, once, on every path (also when the runner's timeout stops this process). */
function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    try {
      await stack?.stop();
    } finally {
      await endpoint.stop();
      await rm(directory, { recursive: true, force: true });
      await rm(caFile, { force: true });
    }
  })();
  return cleaned;
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

async function probe(name: 'deep-verify' | 'deep-floor', args: string[], stored = false): Promise<ProbeResult> {
  try {
    return await probeOnce(name, args, stored);
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ').slice(-300);
    notes.push(`${name} ${args[0]}: a run failed and was repeated: ${message}`);
    log(`${name} failed, repeating: ${message}`);
    return probeOnce(name, args, stored);
  }
}

/**
 * Runs a probe in its own process. Deep verification is timed as a whole process, as pgBackRest is (Node's start-up
 * and module loading included, as a user of the CLI waits for them); the floor by itself, from its first read.
 * CHRONOS_BENCH_NODE_ARGS adds Node options to the probes (e.g. `--cpu-prof --cpu-prof-dir=…`, which NODE_OPTIONS refuses).
 */
async function probeOnce(name: 'deep-verify' | 'deep-floor', args: string[], stored: boolean): Promise<ProbeResult> {
  const nodeArgs = (process.env['CHRONOS_BENCH_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
  const { ms: wholeMs, value: result } = await time(() =>
    runProcess({
      file: process.execPath,
      args: [...nodeArgs, join(here, '..', 'probes', `${name}.mjs`), ...args],
      env: {
        ...(args[0] === 's3' ? { CHRONOS_BENCH_CIPHER_PASS: cipherPass } : {}),
        ...(stored ? { CHRONOS_BENCH_DEEP_PROOF: 'stored' } : {}),
      },
    }),
  );
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.exitCode !== 0 || !last.startsWith('{')) {
    throw new Error(`${name} probe failed (${result.exitCode}): ${result.stderr.trim().slice(-2000)}`);
  }
  const parsed = JSON.parse(last) as ProbeResult;
  return name === 'deep-verify' ? { ...parsed, innerMs: parsed.ms, ms: wholeMs } : parsed;
}

async function pgbackrest(args: readonly string[]): Promise<{ ms: number; cpuMs: number }> {
  const s = stack!;
  // GNU time reports the CPU time of pgBackRest and all its worker processes (process-max).
  const { ms, value } = await time(() =>
    s.exec('/usr/bin/time', ['-f', 'cpu %U %S', 'pgbackrest', `--stanza=${s.stanza}`, ...args], {
      timeout: 3 * 3600 * 1000,
    }),
  );
  ensureSuccess(`pgbackrest ${args.join(' ')}`, value);
  const match = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(value.stderr);
  return { ms, cpuMs: match === null ? Number.NaN : (Number(match[1]) + Number(match[2])) * 1000 };
}

async function psql(sql: string): Promise<string> {
  return (await stack!.psql(sql)).trim();
}

const comparisons: Comparison[] = [];
const figures: Figure[] = [];
const notes: string[] = [];

/** `target` undefined: a figure to report, not a target. */
function comparison(
  name: string,
  subject: number[],
  baseline: number[],
  target: number | undefined,
  note?: string,
): Comparison {
  const ratio = median(subject.map((s, i) => s / baseline[i]!));
  return {
    name,
    subject: round3(median(subject) / 1000),
    baseline: round3(median(baseline) / 1000),
    unit: 's',
    ratio: round3(ratio),
    rounds: subject.length,
    ...(isSmoke || target === undefined ? {} : { target: `<= ${target}x`, pass: ratio <= target }),
    ...(note === undefined ? {} : { note }),
  };
}

try {
  await writeFile(caFile, endpoint.caCert);
  stack = await startNativeStack({
    repos: [{ type: 'posix' }, { type: 's3', endpoint, path: repoPath, cipherPass }],
    options: { 'start-fast': 'y', 'compress-level': '1', 'archive-timeout': '600' },
    pgSettings: { max_wal_size: '4GB', checkpoint_timeout: '30min' },
  });
  const posixPath = stack.repos[0]!.hostPath!;
  await pgbackrest(['stanza-create']);
  await psql('CREATE EXTENSION pgcrypto');
  await psql('CREATE TABLE filler (id bigint, bytes bytea) WITH (fillfactor = 100)');
  await psql('ALTER TABLE filler ALTER bytes SET STORAGE EXTERNAL');
  const rssByRepository = new Map<string, { size: number; rss: number }[]>();
  let rows = 0;
  for (const size of sizes) {
    // About half of the repository is the table's backup, half its WAL (random bytes: gz cannot shrink them).
    const target = Math.round((size * 1024 * 1024) / 2 / 1100);
    const fill = await time(async () => {
      while (rows < target) {
        const batch = Math.min(50_000, target - rows);
        await psql(
          `INSERT INTO filler SELECT g, gen_random_bytes(1000) FROM generate_series(${rows + 1}, ${rows + batch}) g`,
        );
        rows += batch;
      }
      await psql('SELECT pg_switch_wal()');
      for (const repo of [1, 2]) await pgbackrest(['backup', '--type=full', `--repo=${repo}`, `--process-max=${N}`]);
    });
    log(`${size} MiB step: ${rows} rows, backups written in ${Math.round(fill.ms / 1000)} s`);

    for (const [label, repo, args] of [
      ['posix', 1, ['posix', posixPath, String(N)]],
      ['S3 endpoint, encrypted', 2, ['s3', endpoint.url, caFile, endpoint.bucket, repoPath, String(N)]],
    ] as const) {
      const pgb: number[] = [];
      const floor: number[] = [];
      const verify: number[] = [];
      const pgbCpu: number[] = [];
      const floorCpu: number[] = [];
      const verifyCpu: number[] = [];
      const storedProof: number[] = [];
      const storedProofCpu: number[] = [];
      const storedFloor: number[] = [];
      const storedFloorCpu: number[] = [];
      let last: ProbeResult | undefined;
      let storedLast: ProbeResult | undefined;
      let floorLast: ProbeResult | undefined;
      const steps = [
        async () => {
          const run = await pgbackrest(['verify', `--repo=${repo}`, `--process-max=${N}`]);
          pgb.push(run.ms);
          pgbCpu.push(run.cpuMs);
        },
        async () => {
          floorLast = await probe('deep-floor', [...args]);
          if ((floorLast.retries ?? 0) > 0) {
            notes.push(
              `${label} ${size} MiB: the floor started ${floorLast.retries} read(s) again after a connection reset`,
            );
          }
          floor.push(floorLast.ms);
          floorCpu.push(floorLast.cpuMs);
        },
        async () => {
          last = await probe('deep-verify', [...args]);
          verify.push(last.ms);
          verifyCpu.push(last.cpuMs);
        },
        async () => {
          storedLast = await probe('deep-verify', [...args], true);
          storedProof.push(storedLast.ms);
          storedProofCpu.push(storedLast.cpuMs);
        },
        async () => {
          const run = await probe('deep-floor', [...args], true);
          storedFloor.push(run.ms);
          storedFloorCpu.push(run.cpuMs);
        },
      ];
      for (let round = 0; round < rounds; round++) {
        for (const step of round % 2 === 0 ? steps : [...steps].reverse()) await step();
        log(
          `${label} ${size} MiB round ${round + 1}/${rounds}: pgbackrest verify ${pgb.at(-1)!.toFixed(0)} ms (cpu ${pgbCpu.at(-1)!.toFixed(0)}), floor ${floor.at(-1)!.toFixed(0)} ms (cpu ${floorCpu.at(-1)!.toFixed(0)}), deep verify ${verify.at(-1)!.toFixed(0)} ms (${last?.innerMs?.toFixed(0)} after start-up; cpu ${verifyCpu.at(-1)!.toFixed(0)}; ${last?.outcome}, ${last?.maxRssMiB.toFixed(0)} MiB), stored proof ${storedProof.at(-1)!.toFixed(0)} ms (${storedLast?.innerMs?.toFixed(0)} after start-up; cpu ${storedProofCpu.at(-1)!.toFixed(0)}; ${storedLast?.outcome}), its floor ${storedFloor.at(-1)!.toFixed(0)} ms (cpu ${storedFloorCpu.at(-1)!.toFixed(0)})`,
        );
      }
      if (last?.outcome !== 'ok')
        notes.push(`${label} ${size} MiB: deep verify outcome ${last?.outcome}: ${last?.findings?.join(', ')}`);
      if (storedLast?.outcome !== 'ok') {
        notes.push(
          `${label} ${size} MiB: deep verify (stored proof) outcome ${storedLast?.outcome}: ${storedLast?.findings?.join(', ')}`,
        );
      }
      const stored = `${((last?.bytes ?? 0) / 2 ** 20).toFixed(0)} MiB stored, ${last?.files} files, ${last?.segments} WAL segments`;
      comparisons.push(
        comparison(`deep verify vs pgbackrest verify --process-max=${N}, ${label}, ${stored}`, verify, pgb, 1.0),
        comparison(
          `deep verify, deepProof 'stored' (the proof pgbackrest verify gives) vs pgbackrest verify --process-max=${N}, ${label}, ${size} MiB step`,
          storedProof,
          pgb,
          1.0,
        ),
        comparison(
          `deep verify vs the floor (read + decrypt + decompress + SHA-1, concurrency ${N}), ${label}, ${size} MiB step`,
          verify,
          floor,
          1.2,
          `floor read ${floorLast?.objects} objects, ${((floorLast?.bytes ?? 0) / 2 ** 20).toFixed(0)} MiB decoded; deep verify timed as a whole process, the floor from its first read`,
        ),
        comparison(
          `deep verify, deepProof 'stored' vs its floor (backup files read + SHA-1 as stored; WAL read + decrypt + decompress + SHA-1), ${label}, ${size} MiB step`,
          storedProof,
          storedFloor,
          1.2,
        ),
        comparison(
          `the stored proof's floor vs pgbackrest verify --process-max=${N}, ${label}, ${size} MiB step`,
          storedFloor,
          pgb,
          undefined,
        ),
      );
      comparisons.push(
        comparison(
          `CPU time (user + system): deep verify vs pgbackrest verify --process-max=${N}, ${label}, ${size} MiB step`,
          verifyCpu,
          pgbCpu,
          1.0,
          'pgBackRest: all its processes (GNU time); s3-verify: its whole process, start-up included',
        ),
        comparison(
          `CPU time (user + system): deep verify, deepProof 'stored' vs pgbackrest verify --process-max=${N}, ${label}, ${size} MiB step`,
          storedProofCpu,
          pgbCpu,
          1.0,
        ),
        comparison(
          `CPU time (user + system): deep verify vs the floor, ${label}, ${size} MiB step`,
          verifyCpu,
          floorCpu,
          1.2,
        ),
      );
      figures.push({
        name: `deep verify peak RSS, ${label}, ${stored}`,
        value: Math.round(last?.maxRssMiB ?? 0),
        unit: 'MiB',
      });
      figures.push({
        name: `floor peak RSS, ${label}, ${size} MiB step`,
        value: Math.round(floorLast?.maxRssMiB ?? 0),
        unit: 'MiB',
      });
      const list = rssByRepository.get(label) ?? [];
      list.push({ size: last?.bytes ?? 0, rss: last?.maxRssMiB ?? 0 });
      rssByRepository.set(label, list);
    }
  }
  for (const [label, list] of rssByRepository) {
    if (list.length < 2) continue;
    const first = list[0]!;
    const lastSize = list.at(-1)!;
    const growth = lastSize.rss / first.rss;
    figures.push({
      name: `deep verify peak RSS growth, ${label}, ${(first.size / 2 ** 30).toFixed(2)} GiB → ${(lastSize.size / 2 ** 30).toFixed(2)} GiB`,
      value: round3(growth),
      unit: 'x',
      ...(isSmoke ? {} : { target: '<= 1.2x (flat)', pass: growth <= 1.2 }),
    });
  }
} finally {
  await cleanup();
}

emit({ scenario: 'deep-verify', comparisons, figures, notes });
