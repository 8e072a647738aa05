// Restore drill: `runRestoreDrill` (isolation checks, restore, start on a private socket, recovery, one check,
// stop, remove) against the same steps by hand (pgbackrest restore, pg_ctl start, wait for recovery, one query,
// pg_ctl stop, rm -rf), interleaved, on a pgbench database backed up to the S3 endpoint (its own process).
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRestoreDrill } from '@chronos/pgbackrest';
import { createStackClient, ensureSuccess, runProcess } from '@chronos/pgbackrest/testing';
import { type Comparison, emit, type Figure, interleave, isFull, log, median, round3, time } from '../lib/measure.js';
import { startBenchStack } from '../lib/stack.js';

const scales = isFull ? [4, 64] : [4];
const rounds = isFull ? 3 : 2;
const comparisons: Comparison[] = [];
const figures: Figure[] = [];
const notes: string[] = [
  'by hand: pgbackrest restore --archive-mode=off (default target), pg_ctl start on a private socket, poll pg_is_in_recovery(), one count(*), pg_ctl stop, rm -rf',
  'drill: runRestoreDrill with the same target and one SQL check, pg_amcheck off (the hand-run has none); RTO = restore + start + recovery',
];

for (const scale of scales) {
  await using bench = await startBenchStack({ encrypted: true });
  const { stack } = bench;
  const bin = (name: string) => `/usr/lib/postgresql/${stack.pgMajor}/bin/${name}`;
  ensureSuccess(
    `pgbench -i -s ${scale}`,
    await stack.exec(
      bin('pgbench'),
      [
        '-h',
        stack.pg.socketPath,
        '-p',
        String(stack.pg.port),
        '-U',
        'postgres',
        '-i',
        '-s',
        String(scale),
        '-q',
        'postgres',
      ],
      { timeout: 3_600_000 },
    ),
  );
  const dbSize = Number(await stack.psql("SELECT pg_database_size('postgres')"));
  const label = `${(dbSize / 2 ** 20).toFixed(0)} MiB (pgbench -s ${scale})`;
  ensureSuccess('backup', await bench.pgbackrest(['backup', '--type=full', '--start-fast'], { timeout: 3_600_000 }));
  const root = await mkdtemp(join(tmpdir(), 'chronos-bench-drill-'));
  const uid = Number((await runProcess({ file: 'id', args: ['-u', 'postgres'] })).stdout);
  await chown(root, uid, uid);
  const client = createStackClient(stack, { timeout: 3_600_000 });
  const query = 'SELECT count(*) FROM pgbench_accounts';
  const rtos: number[] = [];
  let n = 0;

  const byHand = async () => {
    const dir = join(root, `hand-${n++}`);
    const run = await time(async () => {
      ensureSuccess('mkdir', await stack.exec('mkdir', ['-m', '700', dir, `${dir}-run`]));
      ensureSuccess(
        'restore',
        await bench.pgbackrest([`--pg1-path=${dir}`, '--archive-mode=off', 'restore'], { timeout: 3_600_000 }),
      );
      const options = `-c port=5432 -c listen_addresses='' -c unix_socket_directories=${dir}-run -c shared_buffers=16MB`;
      ensureSuccess(
        'pg_ctl start',
        await stack.exec(bin('pg_ctl'), ['-D', dir, '-l', `${dir}.log`, '-o', options, '-w', 'start'], {
          timeout: 3_600_000,
        }),
      );
      const psql = (sql: string) =>
        stack.exec(bin('psql'), [
          '-X',
          '-A',
          '-t',
          '-h',
          `${dir}-run`,
          '-p',
          '5432',
          '-U',
          'postgres',
          '-d',
          'postgres',
          '-c',
          sql,
        ]);
      for (;;) {
        const probe = await psql('SELECT pg_is_in_recovery()');
        if (probe.exitCode === 0 && probe.stdout.trim() === 'f') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      ensureSuccess('query', await psql(query));
      ensureSuccess('pg_ctl stop', await stack.exec(bin('pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']));
      ensureSuccess('rm', await stack.exec('rm', ['-rf', dir, `${dir}-run`, `${dir}.log`]));
    });
    return run.ms;
  };
  const drill = async () => {
    const run = await time(() =>
      runRestoreDrill({
        client,
        scratch: join(root, `drill-${n++}`),
        checks: [{ sql: query, expect: { kind: 'count-at-least', min: scale * 100_000 } }],
        amcheck: false,
        timeout: 3_600_000,
      }),
    );
    if (run.value.outcome !== 'proven') throw new Error(`drill ${run.value.outcome}`);
    rtos.push(run.value.timings.rtoSeconds);
    return run.ms;
  };

  const measured = await time(async () => {
    const comparison = await interleave({
      name: `${label}: drill vs the same steps by hand (wall time)`,
      rounds,
      baseline: byHand,
      subject: drill,
      target: { max: 1.2 },
      unit: 's',
    });
    comparisons.push(comparison);
  });
  figures.push({
    name: `RTO of the drill, ${label}`,
    value: round3(median(rtos)),
    unit: 's',
    note: 'restore + start + recovery, median',
  });
  log(`${label}: measured in ${(measured.ms / 1000).toFixed(0)} s`);
  await rm(root, { recursive: true, force: true });
}

emit({ scenario: 'drill', comparisons, figures, notes });
