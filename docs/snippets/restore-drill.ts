import { writeFile } from 'node:fs/promises';
import {
  createPgBackRest,
  drillMetricValues,
  formatDrillReport,
  isDrillError,
  isRecoveryTargetNotReachedError,
  renderDrillMetrics,
  runRestoreDrill,
} from '@chronos/pgbackrest';

const pgbackrest = createPgBackRest({ stanza: 'main', transport: { kind: 'local', runAs: { user: 'postgres' } } });

try {
  const report = await runRestoreDrill({
    client: pgbackrest,
    scratch: '/var/lib/chronos-drill',
    target: { type: 'time', time: '2026-11-24T02:00:00Z', repo: 2 },
    checks: [
      { name: 'orders', sql: 'SELECT count(*) FROM orders', expect: { kind: 'count-at-least', min: 1_000 } },
      {
        name: 'no future rows',
        sql: "SELECT max(created_at) < '2026-11-24T02:00:00Z' FROM orders",
        expect: { kind: 'true' },
      },
    ],
    timeout: 3_600_000,
    handleSignals: true,
  });
  console.log(formatDrillReport(report));
  const labels = { stanza: report.stanza, repo: String(report.repo) };
  await writeFile(
    '/var/lib/node_exporter/textfile/chronos-drill.prom',
    renderDrillMetrics(labels, drillMetricValues(report)),
  );
  process.exitCode = report.outcome === 'proven' ? 0 : 1;
} catch (error) {
  if (isRecoveryTargetNotReachedError(error))
    console.error('WAL gap before the target:', error.lastReplayedLsn, error.logLines);
  else if (isDrillError(error)) console.error(`drill ${error.failure} during ${error.stage}: ${error.message}`);
  else throw error;
  process.exitCode = 3;
}
