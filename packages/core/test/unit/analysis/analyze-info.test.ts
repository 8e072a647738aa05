import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeInfo } from '../../../src/analysis/index.js';
import { parseInfo } from '../../../src/info/index.js';
import { quoteUnsafeIntegers } from '../../../src/info/long-integers.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/info/${name}`, import.meta.url), 'utf8');
const recorded245 = fixture('pgbackrest-2.45-s3-encrypted-plus-posix.json');
const now = new Date(1795497721_000 + 3600_000);

describe('analyzeInfo on a real 2.45 recording (two repositories)', () => {
  const stanza = analyzeInfo(parseInfo(recorded245), { now }).stanzas[0]!;
  const [repo1, repo2] = stanza.repositories;

  it('splits backups and archives per repository', () => {
    expect(stanza.repositories.map((r) => r.key)).toEqual([1, 2]);
    expect(repo1!.backups.map((b) => b.label)).toEqual(['20261124-052144F', '20261124-052144F_20261124-052158D']);
    expect(repo2!.backups.map((b) => b.label)).toEqual(['20261124-052152F']);
    expect(repo1!.cipher).toBe('aes-256-cbc');
    expect(repo2!.status).toEqual({ code: 0, message: 'ok', ok: true });
    expect(repo1!.archives).toEqual([
      {
        databaseId: 1,
        archiveId: '15-1',
        systemId: '7711603885232359767',
        pgVersion: '15',
        min: '000000010000000000000001',
        max: '00000001000000000000000B',
      },
    ]);
  });

  it('builds chains and finds the latest backup of each type with its age', () => {
    expect(repo1!.chains.map((c) => [c.full.label, c.dependents.map((d) => d.label)])).toEqual([
      ['20261124-052144F', ['20261124-052144F_20261124-052158D']],
    ]);
    expect(repo1!.latest.full?.label).toBe('20261124-052144F');
    expect(repo1!.latest.diff?.label).toBe('20261124-052144F_20261124-052158D');
    expect(repo1!.latest.incr).toBeUndefined();
    expect(repo1!.latest.diff?.ageSeconds).toBe(3600);
    expect(repo1!.latest.full?.ageSeconds).toBe(3610);
    expect(repo1!.latest.diff?.fullLabel).toBe('20261124-052144F');
  });

  it('knows the WAL each backup needs and that the archive holds it', () => {
    const diff = repo1!.latest.diff!;
    expect(diff.wal).toEqual({ start: '00000001000000000000000B', stop: '00000001000000000000000B' });
    expect(diff.walInArchive).toBe(true);
  });

  it('gives the recovery window per repository and for the stanza', () => {
    expect(repo1!.recoveryWindow).toEqual({
      earliest: new Date(1795497711_000),
      latestBackupStop: new Date(1795497721_000),
      newestWal: '00000001000000000000000B',
    });
    expect(repo2!.recoveryWindow.earliest).toEqual(new Date(1795497715_000));
    expect(stanza.recoveryWindow.earliest).toEqual(new Date(1795497711_000));
    expect(stanza.recoveryWindow.latestBackupStop).toEqual(new Date(1795497721_000));
    expect(stanza.backup.running).toBe(false);
    expect(stanza.restore.running).toBe(false);
  });
});

describe('analyzeInfo edge cases (derived from the recording)', () => {
  it('excludes error-flagged backups and backups whose WAL is gone from the window', () => {
    const doc = JSON.parse(quoteUnsafeIntegers(recorded245));
    doc[0].backup[0].error = true;
    doc[0].archive[0].min = '000000010000000000000009';
    const repo1 = analyzeInfo(parseInfo(JSON.stringify(doc)), { now }).stanzas[0]!.repositories[0]!;
    expect(repo1.errorBackups.map((b) => b.label)).toEqual(['20261124-052144F']);
    expect(repo1.backups[0]!.walInArchive).toBe(false);
    expect(repo1.recoveryWindow.earliest).toEqual(new Date(1795497721_000));
  });

  it('reports a dependent whose full is gone as an orphan', () => {
    const doc = JSON.parse(quoteUnsafeIntegers(recorded245));
    doc[0].backup.splice(0, 1);
    const repo1 = analyzeInfo(parseInfo(JSON.stringify(doc)), { now }).stanzas[0]!.repositories[0]!;
    expect(repo1.chains).toEqual([]);
    expect(repo1.orphans.map((b) => b.label)).toEqual(['20261124-052144F_20261124-052158D']);
    expect(repo1.orphans[0]!.fullLabel).toBeUndefined();
  });

  it('reports backup progress (2.48) and per-repository progress (2.59)', () => {
    const running = analyzeInfo(parseInfo(fixture('hand-2.59-backup-running-per-repo.json')), { now }).stanzas[0]!;
    expect(running.backup).toEqual({
      running: true,
      totalBytes: 85898929,
      completedBytes: 100,
      fraction: 100 / 85898929,
      perRepo: [{ repoKey: 1, totalBytes: 85898929, completedBytes: 100 }],
    });
    const restore = analyzeInfo(parseInfo(fixture('hand-2.56-restore-running.json')), { now }).stanzas[0]!.restore;
    expect(restore.running).toBe(true);
    expect(restore.fraction).toBeCloseTo(1024 / 85898929);
  });

  it('reports stanza and repository errors', () => {
    const [mixed, missing] = analyzeInfo(parseInfo(fixture('hand-2.45-status-errors.json')), { now }).stanzas;
    expect(mixed!.status.ok).toBe(false);
    expect(mixed!.repositories[0]!.status).toEqual({ code: 99, message: '[CryptoError] unable to flush', ok: false });
    expect(mixed!.repositories[0]!.recoveryWindow.earliest).toBeUndefined();
    expect(missing!.status).toEqual({ code: 1, message: 'missing stanza path', ok: false });
    expect(missing!.repositories.map((r) => r.backups.length)).toEqual([0]);
  });
});

describe('analysed backups as data', () => {
  it('serialise with their times as ISO strings', () => {
    const backup = analyzeInfo(parseInfo(recorded245), { now }).stanzas[0]!.repositories[0]!.backups[0]!;
    const json = JSON.parse(JSON.stringify(backup)) as Record<string, unknown>;
    expect(json).toMatchObject({
      label: '20261124-052144F',
      startedAt: '2026-11-24T05:21:44.000Z',
      stoppedAt: '2026-11-24T05:21:51.000Z',
      stoppedAtEpoch: 1795497711,
      ageSeconds: 3610,
    });
    backup.stoppedAt.setFullYear(2000);
    expect(backup.stoppedAt.toISOString()).toBe('2026-11-24T05:21:51.000Z');
  });
});
