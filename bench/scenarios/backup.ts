// Backup settings: a pgbench database (scale 4, about 64 MB) backed up, encrypted, to the local S3
// endpoint (its own process) with the reference deployment's old settings (gz, start-fast=n,
// process-max=1) and with the policy's recommended settings, idle and right after a write burst.

import { parseInfo } from '@chronos/pgbackrest';
import { DEFAULT_COMPRESSION, RECOMMENDED_START_FAST } from '@chronos/pgbackrest/policy';
import { ensureSuccess } from '@chronos/pgbackrest/testing';
import { type Comparison, emit, type Figure, interleave, isFull, log, median, round3, time } from '../lib/measure.js';
import { startBenchStack } from '../lib/stack.js';

const oldSettings = ['--compress-type=gz', '--no-start-fast', '--process-max=1'];
const recommended = [
  `--compress-type=${DEFAULT_COMPRESSION.type}`,
  ...(DEFAULT_COMPRESSION.level === undefined ? [] : [`--compress-level=${DEFAULT_COMPRESSION.level}`]),
  RECOMMENDED_START_FAST ? '--start-fast' : '--no-start-fast',
];
const burstCap = (isFull ? 600 : 30) * 1000;

await using bench = await startBenchStack({ encrypted: true, pgSettings: { shared_buffers: '128MB' } });
const { stack } = bench;
const pgbench = (args: string[]) =>
  stack.exec(
    '/usr/lib/postgresql/15/bin/pgbench',
    ['-h', stack.pg.socketPath, '-p', String(stack.pg.port), '-U', 'postgres', ...args, 'postgres'],
    { timeout: 600_000 },
  );
const init = await time(async () => ensureSuccess('pgbench -i -s 4', await pgbench(['-i', '-s', '4', '-q'])));
await stack.psql('CHECKPOINT');
const dbSize = Number(await stack.psql("SELECT pg_database_size('postgres')"));
log(`pgbench -i -s 4: ${Math.round(init.ms)} ms, database ${(dbSize / 2 ** 20).toFixed(0)} MiB`);

interface BackupRun {
  ms: number;
  timedOut: boolean;
  size?: number;
  repoSize?: number;
}
async function backup(settings: string[], timeout = 900_000): Promise<BackupRun> {
  const run = await bench.pgbackrest(['backup', '--type=full', ...settings], { timeout });
  if (run.timedOut) {
    // A stopped backup leaves PostgreSQL in backup mode until its session ends; let pgBackRest clean up.
    await stack.psql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'pgBackRest%'",
    );
    return { ms: run.ms, timedOut: true };
  }
  ensureSuccess(`backup ${settings.join(' ')}`, run);
  const info = parseInfo(ensureSuccess('info', await bench.pgbackrest(['info', '--output=json'])).stdout);
  const last = info[0]?.backup.at(-1);
  return {
    ms: run.ms,
    timedOut: false,
    ...(last ? { size: last.info.size } : {}),
    ...(last?.info.repository.size === undefined ? {} : { repoSize: last.info.repository.size }),
  };
}
const archiveCatchUp: number[] = [];
const writeBurst = async () => {
  // Every row of pgbench_accounts updated: thousands of dirty buffers for the next checkpoint.
  const burst = await time(() => stack.psql('UPDATE pgbench_accounts SET abalance = abalance + 1'));
  // The burst's WAL is archived one segment at a time (archive-push to S3); a backup waits for it.
  // Wait here so the comparison isolates the checkpoint (the buffers stay dirty meanwhile).
  const segmentNumber = (name: string) =>
    name.length === 24 ? Number.parseInt(name.slice(8, 16), 16) * 256 + Number.parseInt(name.slice(16), 16) : -1;
  const caughtUp = await time(async () => {
    for (;;) {
      const [current = '', last = ''] = (
        await stack.psql(
          "SELECT pg_walfile_name(pg_current_wal_lsn()) || ',' || coalesce(last_archived_wal, '') FROM pg_stat_archiver",
        )
      )
        .trim()
        .split(',');
      if (segmentNumber(last) >= segmentNumber(current) - 1) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  archiveCatchUp.push(caughtUp.ms);
  const dirty = await stack.psql('SELECT count(*) FROM pg_buffercache WHERE isdirty').catch(() => '?');
  log(
    `write burst: ${Math.round(burst.ms)} ms, archiving caught up in ${Math.round(caughtUp.ms)} ms, dirty buffers ${dirty.trim()}`,
  );
};
await stack.psql('CREATE EXTENSION IF NOT EXISTS pg_buffercache').catch(() => '');

const comparisons: Comparison[] = [];
const figures: Figure[] = [];
const notes: string[] = [
  `old: ${oldSettings.join(' ')}; recommended: ${recommended.join(' ')} (DEFAULT_COMPRESSION, RECOMMENDED_START_FAST; process-max left at its default 1)`,
];
const sizes: Record<string, BackupRun[]> = { old: [], recommended: [] };

// One warm-up backup so both sides start from a repository that already holds a full backup.
if (isFull) await backup(recommended);

comparisons.push(
  await interleave({
    name: 'idle database: recommended vs old settings (backup wall time)',
    rounds: isFull ? 3 : 1,
    baseline: async () => {
      const r = await backup(oldSettings);
      sizes['old']!.push(r);
      return r.ms;
    },
    subject: async () => {
      const r = await backup(recommended);
      sizes['recommended']!.push(r);
      return r.ms;
    },
    target: { max: 1 },
    unit: 's',
    note: 'target: recommended no slower than old (ratio <= 1)',
  }),
);

for (const [name, runs] of Object.entries(sizes)) {
  const repo = median(runs.flatMap((r) => (r.repoSize === undefined ? [] : [r.repoSize])));
  const size = median(runs.flatMap((r) => (r.size === undefined ? [] : [r.size])));
  figures.push({
    name: `repository size of one full backup, ${name} settings`,
    value: round3(repo / 2 ** 20),
    unit: `MiB (database files ${round3(size / 2 ** 20)} MiB, ${(size / repo).toFixed(1)}x)`,
  });
}

// After a write burst: recommended first, then old with a cap.
const afterBurst: number[] = [];
for (let i = 0; i < (isFull ? 2 : 1); i++) {
  await writeBurst();
  const r = await backup(recommended);
  afterBurst.push(r.ms);
  log(`after burst, recommended: ${(r.ms / 1000).toFixed(1)} s`);
}
await writeBurst();
const old = await backup(oldSettings, burstCap);
log(`after burst, old: ${old.timedOut ? `> ${burstCap / 1000} s (stopped)` : `${(old.ms / 1000).toFixed(1)} s`}`);
const rec = median(afterBurst);
const ratio = old.ms / rec;
comparisons.push({
  name: 'after a write burst: recommended vs old settings (backup wall time)',
  subject: round3(rec / 1000),
  baseline: round3(old.ms / 1000),
  unit: 's',
  ratio: round3(ratio),
  target: '>= 30x faster',
  // A capped run below the target proves nothing either way: leave the verdict open.
  ...(old.timedOut && ratio < 30 ? {} : { pass: ratio >= 30 }),
  rounds: afterBurst.length,
  note: old.timedOut
    ? `old settings stopped at the cap: baseline is "> ${burstCap / 1000} s", so the ratio is a lower bound ("> ${ratio.toFixed(1)}x")`
    : 'old settings finished within the cap',
});

figures.push({
  name: 'archiving the burst WAL (waited for before each after-burst backup)',
  value: round3(median(archiveCatchUp) / 1000),
  unit: 's',
  note: 'archive-push is synchronous here (archive-async=n), one segment at a time',
});

if (isFull) {
  for (const variant of [
    ['--compress-type=gz', '--start-fast', '--process-max=2'],
    ['--compress-type=lz4', '--start-fast'],
    ['--compress-type=zst', '--start-fast'],
  ]) {
    const runs = [await backup(variant), await backup(variant)];
    const r = runs[1]!;
    figures.push({
      name: `idle, ${variant.join(' ')}`,
      value: round3(median(runs.map((x) => x.ms)) / 1000),
      unit: `s, repo ${round3((r.repoSize ?? 0) / 2 ** 20)} MiB`,
      note: 'absolute, same run as the comparisons above (no interleaved baseline)',
    });
  }
}

emit({ scenario: 'backup', comparisons, figures, notes });
