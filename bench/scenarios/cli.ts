// CLI start-up and overhead: `chronos --version` against `node -e 0`, and `chronos info --json`
// against `pgbackrest info --output=json` on the same S3 repository, tiny and with 20,000 WAL segments.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSuccess, runProcess } from '@chronos/pgbackrest/testing';
import { bySize, emit, type Figure, interleave, isFull, log, time } from '../lib/measure.js';
import { startBenchStack } from '../lib/stack.js';
import { writeSyntheticWal } from '../lib/synthetic-wal.js';

const cli = join(process.cwd(), 'packages/cli-example/dist/cli.cjs');
if (!existsSync(cli) || process.argv.includes('--rebuild')) {
  log('building the CLI (pnpm --filter @chronos/cli build)');
  ensureSuccess('CLI build', await runProcess({ file: 'pnpm', args: ['--filter', '@chronos/cli', 'build'] }));
}

const wall = async (file: string, args: readonly string[], env: Record<string, string> = {}) => {
  const { ms, value } = await time(() => runProcess({ file, args, env }));
  if (value.exitCode !== 0)
    throw new Error(`${file} ${args.join(' ')} exited ${value.exitCode}: ${value.stderr.trim()}`);
  return { ms, stdout: value.stdout };
};

const comparisons = [];
const figures: Figure[] = [];

comparisons.push(
  await interleave({
    name: 'chronos --version vs node -e 0',
    rounds: isFull ? 31 : 11,
    warmup: 2,
    baseline: async () => (await wall(process.execPath, ['-e', '0'])).ms,
    subject: async () => (await wall(process.execPath, [cli, '--version'])).ms,
    target: { max: 1.2 },
    note: 'wall time of the whole process, spawned the same way',
  }),
);

await using bench = await startBenchStack();
const { stack } = bench;
const env = { ...bench.secretEnv };
const infoArgs = [
  '-u',
  'postgres',
  '--',
  'pgbackrest',
  `--config=${stack.configPath}`,
  `--stanza=${stack.stanza}`,
  'info',
  '--output=json',
];
const pgbackrestInfo = async () => (await wall('runuser', infoArgs, env)).ms;
const chronosInfo = async () =>
  (
    await wall(
      process.execPath,
      [cli, `--config=${stack.configPath}`, `--stanza=${stack.stanza}`, '--user=postgres', '--json', 'info'],
      env,
    )
  ).ms;

// The same document both ways, so the comparison is like for like.
const own = JSON.parse(
  (
    await wall(
      process.execPath,
      [cli, `--config=${stack.configPath}`, `--stanza=${stack.stanza}`, '--user=postgres', '--json', 'info'],
      env,
    )
  ).stdout,
);
if (own.exitCode !== 0) throw new Error(`chronos info failed: ${JSON.stringify(own.error)}`);

const archivePrefix = `${bench.repoPath.slice(1)}/archive/${stack.stanza}/15-1`;
await writeSyntheticWal({
  directory: bench.directory,
  bucket: bench.endpoint.bucket,
  archivePrefix,
  first: 1,
  count: 3,
});
comparisons.push(
  await interleave({
    name: 'chronos info --json vs pgbackrest info --output=json, tiny repository (3 WAL segments)',
    rounds: isFull ? 21 : 5,
    warmup: 1,
    baseline: pgbackrestInfo,
    subject: chronosInfo,
    note: 'both as user postgres (chronos --user=postgres runs pgBackRest through runuser, the baseline runs runuser itself)',
  }),
);

const segments = bySize({ smoke: 100, quick: 20_000, full: 20_000 });
const synth = await time(() =>
  writeSyntheticWal({
    directory: bench.directory,
    bucket: bench.endpoint.bucket,
    archivePrefix,
    first: 4,
    count: segments - 3,
  }),
);
figures.push({
  name: `writing ${segments} WAL objects into the s3rver store`,
  value: Math.round(synth.ms),
  unit: 'ms',
});
const info = JSON.parse(
  (
    await wall(
      process.execPath,
      [cli, `--config=${stack.configPath}`, `--stanza=${stack.stanza}`, '--user=postgres', '--json', 'info'],
      env,
    )
  ).stdout,
);
const archive = info.result?.[0]?.archive?.[0] ?? info.result?.stanzas?.[0]?.archive?.[0];
log(`archive after synthesis: ${JSON.stringify(archive)}`);
comparisons.push(
  await interleave({
    name: `chronos info --json vs pgbackrest info --output=json, ${segments} WAL segments`,
    rounds: isFull ? 15 : 4,
    warmup: 1,
    baseline: pgbackrestInfo,
    subject: chronosInfo,
    target: { max: 1.25 },
    note: 'endpoint (s3rver, TLS) in its own process; wall time of the whole command',
  }),
);

// The floor of any Node.js CLI: start Node, run the same pgBackRest command, print its output.
const bareNodeInfo = async () =>
  (
    await wall(
      process.execPath,
      [
        '-e',
        `process.stdout.write(require('node:child_process').execFileSync('runuser', ${JSON.stringify(infoArgs)}))`,
      ],
      env,
    )
  ).ms;
comparisons.push(
  await interleave({
    name: `bare Node wrapper (node -e execFileSync) vs pgbackrest info --output=json, ${segments} WAL segments`,
    rounds: isFull ? 15 : 4,
    warmup: 1,
    baseline: pgbackrestInfo,
    subject: bareNodeInfo,
    note: 'the floor for any Node.js CLI around pgBackRest on this machine: Node start-up plus one spawn',
  }),
);
comparisons.push(
  await interleave({
    name: `chronos info --json vs the bare Node wrapper, ${segments} WAL segments`,
    rounds: isFull ? 15 : 4,
    warmup: 1,
    baseline: bareNodeInfo,
    subject: chronosInfo,
    target: { max: 1.15 },
    note: 'what chronos adds over the floor: loading its code, building and checking the command, validating and printing the document',
  }),
);

emit({
  scenario: 'cli',
  comparisons,
  figures,
  notes: [`archive range seen by chronos info: ${archive?.min ?? '?'}..${archive?.max ?? '?'}`],
});
