import { describe, expect, it } from 'vitest';
import { createPgBackRest } from '../../../src/client/index.js';
import {
  DRILL_REPORT_SCHEMA_VERSION,
  DrillRefusedError,
  type DrillReport,
  formatDrillReport,
  judgeSqlOutput,
  parseExpectation,
  parseRecoveryProgress,
  previousDrillRepo,
  previousDrillSuccess,
  recoveryLogExcerpt,
  renderDrillMetrics,
  runRestoreDrill,
} from '../../../src/drill/index.js';
import { serverOptions } from '../../../src/drill/recovered-cluster.js';
import { assertScratchIsolated, parseScratchProbe, scratchLayout } from '../../../src/drill/scratch.js';

const GAP_LOG = `2026-12-02 02:06:40.101 UTC [4411] LOG:  starting point-in-time recovery to 2026-12-02 02:06:39.5+00
2026-12-02 02:06:40.300 UTC [4411] LOG:  restored log file "000000010000000000000007" from archive
2026-12-02 02:06:40.512 UTC [4411] LOG:  redo starts at 0/7000028
2026-12-02 02:06:40.900 UTC [4411] LOG:  restored log file "000000010000000000000008" from archive
2026-12-02 02:06:41.200 UTC [4411] LOG:  redo done at 0/8000148 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.68 s
2026-12-02 02:06:41.200 UTC [4411] LOG:  last completed transaction was at log time 2026-12-02 02:06:35.123456+00
2026-12-02 02:06:41.201 UTC [4411] FATAL:  recovery ended before configured recovery target was reached
2026-12-02 02:06:41.210 UTC [4409] LOG:  startup process (PID 4411) exited with exit code 1`;

describe('recovery log', () => {
  it('reads the last replayed LSN and commit time', () => {
    const progress = parseRecoveryProgress(GAP_LOG);
    expect(progress.lastReplayedLsn).toBe('0/8000148');
    expect(progress.lastReplayedTime?.toISOString()).toBe('2026-12-02T02:06:35.123Z');
  });
  it('keeps the lines that explain the stop', () => {
    const lines = recoveryLogExcerpt(GAP_LOG);
    expect(lines.some((l) => l.includes('"000000010000000000000008"'))).toBe(true);
    expect(lines.some((l) => l.includes('000000010000000000000007'))).toBe(false);
    expect(lines.at(-1)).toMatch(/FATAL: {2}recovery ended before/);
  });
  it('says nothing when recovery logged no progress', () => {
    expect(parseRecoveryProgress('LOG:  database system is ready to accept connections')).toEqual({});
  });
});

describe('SQL expectations', () => {
  it('parses the CLI and policy forms', () => {
    expect(parseExpectation('>=306')).toEqual({ kind: 'count-at-least', min: 306 });
    expect(parseExpectation('count >= 2')).toEqual({ kind: 'count-at-least', min: 2 });
    expect(parseExpectation('row')).toEqual({ kind: 'row-exists' });
    expect(parseExpectation('true')).toEqual({ kind: 'true' });
    expect(() => parseExpectation('= 3')).toThrow(/>=N/);
  });
  it('judges psql output', () => {
    expect(judgeSqlOutput({ kind: 'count-at-least', min: 306 }, '306\n')).toBeUndefined();
    expect(judgeSqlOutput({ kind: 'count-at-least', min: 306 }, '305\n')).toBe('returned 305, expected at least 306');
    expect(judgeSqlOutput({ kind: 'count-at-least', min: 1 }, 'a\nb\n')).toMatch(/2 rows/);
    expect(judgeSqlOutput({ kind: 'row-exists' }, '')).toMatch(/no row/);
    expect(judgeSqlOutput({ kind: 'row-exists' }, '1\n')).toBeUndefined();
    expect(judgeSqlOutput({ kind: 'true' }, 't\n')).toBeUndefined();
    expect(judgeSqlOutput({ kind: 'true' }, 'f\n')).toBe("returned 'f', expected true");
  });
});

describe('scratch isolation', () => {
  it('lays out the drill under the scratch directory', () => {
    expect(scratchLayout('/srv/drill/')).toMatchObject({ dataPath: '/srv/drill/pgdata', socketDir: '/srv/drill/run' });
  });
  it.each(['relative/dir', '/', '/srv', '/srv/a b', "/srv/it's", '/srv/../etc'])('refuses the path %s', (path) => {
    expect(() => scratchLayout(path)).toThrow(DrillRefusedError);
  });
  it('refuses the data directory, a path inside it, and a path holding it', () => {
    const cluster = '/var/lib/postgresql/15/main';
    for (const real of [cluster, `${cluster}/drill`, '/var/lib/postgresql']) {
      expect(() => assertScratchIsolated({ state: 'absent', real, clusterReal: cluster })).toThrow(/data directory/);
    }
    expect(() =>
      assertScratchIsolated({ state: 'absent', real: '/var/lib/postgresql/15/main2', clusterReal: cluster }),
    ).not.toThrow();
  });
  it('accepts only absent, empty and previous-drill directories', () => {
    expect(() => assertScratchIsolated(parseScratchProbe('real=/srv/d\nstate=previous-drill\n'))).not.toThrow();
    expect(() => assertScratchIsolated(parseScratchProbe('real=/srv/d\nstate=live-postmaster\npid=42\n'))).toThrow(
      /process 42/,
    );
    expect(() => assertScratchIsolated(parseScratchProbe('real=/srv/d\nstate=data-directory\n'))).toThrow(/PG_VERSION/);
    expect(() => assertScratchIsolated(parseScratchProbe('real=/srv/d\nstate=not-empty\n'))).toThrow(/not empty/);
    expect(() => parseScratchProbe('sh: 1: syntax error')).toThrow(DrillRefusedError);
  });
});

describe('server options', () => {
  it('quotes every value for the shell pg_ctl uses', () => {
    expect(serverOptions({ listen_addresses: '', port: '5432' })).toBe("-c listen_addresses='' -c port='5432'");
    expect(() => serverOptions({ shared_buffers: "1'; rm -rf /" })).toThrow(/not plain text/);
  });
});

describe('drill metrics', () => {
  it('renders the four gauges labelled by stanza and repo, and reads the last success back', () => {
    const text = renderDrillMetrics(
      { stanza: 'main', repo: '2' },
      { lastSuccess: 1764640000, durationSeconds: 42.5, rpoSeconds: 3, checksFailed: 0 },
    );
    expect(text).toContain('chronos_drill_last_success_timestamp_seconds{stanza="main",repo="2"} 1764640000');
    expect(text).toContain('chronos_drill_duration_seconds{stanza="main",repo="2"} 42.5');
    expect(text).toContain('chronos_drill_rpo_seconds{stanza="main",repo="2"} 3');
    expect(text).toContain('chronos_drill_checks_failed{stanza="main",repo="2"} 0');
    expect(previousDrillSuccess(text, { stanza: 'main', repo: '2' })).toBe(1764640000);
    expect(previousDrillSuccess(text, { stanza: 'main', repo: '1' })).toBeUndefined();
    expect(previousDrillRepo(text, 'main')).toBe('2');
    expect(previousDrillRepo(text, 'other')).toBeUndefined();
  });
  it('leaves out an unknown last success and RPO (the families stay declared)', () => {
    const text = renderDrillMetrics({ stanza: 'main', repo: '1' }, { durationSeconds: 5, checksFailed: 1 });
    expect(text).toContain('# TYPE chronos_drill_last_success_timestamp_seconds gauge');
    expect(text).not.toMatch(/^chronos_drill_rpo_seconds\{/m);
    expect(text).toContain('chronos_drill_checks_failed{stanza="main",repo="1"} 1');
  });
});

describe('runRestoreDrill refuses before anything runs', () => {
  it('inside a container (the production one) and with a relative scratch path', async () => {
    const inContainer = createPgBackRest({
      stanza: 'main',
      version: '2.45',
      transport: { kind: 'docker', container: 'chronos-db' },
    });
    await expect(runRestoreDrill({ client: inContainer, scratch: '/srv/drill' })).rejects.toThrow(
      /never runs inside the production container/,
    );
    const local = createPgBackRest({
      stanza: 'main',
      version: '2.45',
      transport: { kind: 'local', runAs: { user: 'postgres' } },
    });
    await expect(runRestoreDrill({ client: local, scratch: 'drill' })).rejects.toBeInstanceOf(DrillRefusedError);
  });
});

describe('formatDrillReport', () => {
  const report: DrillReport = {
    schemaVersion: DRILL_REPORT_SCHEMA_VERSION,
    kind: 'chronos-restore-drill',
    outcome: 'proven',
    stanza: 'main',
    repo: 1,
    set: '20261202-050000F',
    target: { type: 'default' },
    pgVersion: '15',
    scratch: '/srv/drill',
    startedAt: '2026-12-02T05:00:00.000Z',
    finishedAt: '2026-12-02T05:00:30.000Z',
    timings: {
      restoreSeconds: 10,
      startSeconds: 2,
      recoverySeconds: 3,
      checksSeconds: 1,
      rtoSeconds: 15,
      totalSeconds: 30,
    },
    rpo: { lastReplayedCommit: null, lastReplayedLsn: null, behindNowSeconds: null, behindTargetSeconds: null },
    checks: [],
    checksFailed: 0,
  };

  it('prints how to connect to a kept drill and how to remove it, and nothing of the kind otherwise', () => {
    const kept = {
      connect: 'psql -h /srv/drill/run -p 5432 -U postgres -d postgres',
      remove: '/usr/lib/postgresql/15/bin/pg_ctl -D /srv/drill/pgdata -m fast stop && rm -rf /srv/drill',
    };
    const text = formatDrillReport({ ...report, kept });
    expect(text).toContain(`kept: connect with  ${kept.connect}`);
    expect(text).toContain(`      remove with   ${kept.remove}`);
    expect(formatDrillReport(report)).not.toContain('kept:');
  });
});
