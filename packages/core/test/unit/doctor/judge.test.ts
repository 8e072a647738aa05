import { describe, expect, it } from 'vitest';
import {
  judgeArchiveCommand,
  judgeArchiveMode,
  judgeArchiver,
  judgeSystemId,
  parsePostgresFacts,
} from '../../../src/doctor/index.js';

const S = '\u001f';
// One row of the doctor's query as psql -X -A -t -F $'\x1f' prints it (values made up, layout as PostgreSQL 15 prints it).
const healthy = `on${S}pgbackrest --stanza=chronos archive-push %p${S}${S}7441234567890123456${S}150008${S}000000010000000000000003${S}1793602800.123456${S}${S}\n`;

describe('parsePostgresFacts', () => {
  it('reads settings, system id, version and the archiver', () => {
    const facts = parsePostgresFacts(healthy);
    expect(facts).toMatchObject({
      archiveMode: 'on',
      archiveCommand: 'pgbackrest --stanza=chronos archive-push %p',
      pendingRestart: [],
      systemId: '7441234567890123456',
      versionNum: 150008,
      lastArchivedWal: '000000010000000000000003',
      lastFailedWal: '',
      lastFailedTime: undefined,
    });
    expect(facts.lastArchivedTime?.toISOString()).toBe('2026-11-02T07:00:00.123Z');
  });

  it('refuses output that is not the query row', () => {
    expect(() => parsePostgresFacts('psql: error\n')).toThrow(/unexpected psql output/);
  });
});

describe('judging archiving', () => {
  const facts = parsePostgresFacts(healthy);

  it('passes archive_mode on and an archive_command for this stanza', () => {
    expect(judgeArchiveMode(facts).status).toBe('ok');
    expect(judgeArchiveCommand(facts, 'chronos').status).toBe('ok');
    expect(judgeArchiver(facts)).toMatchObject({ status: 'ok' });
  });

  it('fails archive_mode off with the restart in the fix, and a pending restart before anything else', () => {
    expect(judgeArchiveMode({ ...facts, archiveMode: 'off' })).toMatchObject({ status: 'fail' });
    expect(judgeArchiveMode({ ...facts, archiveMode: 'off' }).fix).toContain('restart PostgreSQL');
    const pending = judgeArchiveMode({ ...facts, pendingRestart: ['archive_mode'] });
    expect(pending.detail).toContain('pending_restart');
    expect(judgeArchiveMode({ ...facts, pendingRestart: ['shared_buffers'] }).status).toBe('warn');
  });

  it('fails an archive_command for another stanza or without pgBackRest, giving the command to set', () => {
    const other = judgeArchiveCommand(
      { ...facts, archiveCommand: 'pgbackrest --stanza=chronos archive-push %p' },
      'chronos-v2',
    );
    expect(other.status).toBe('fail');
    expect(other.detail).toContain('stanza chronos:');
    expect(other.fix).toContain("archive_command = 'pgbackrest --stanza=chronos-v2 archive-push %p'");
    expect(judgeArchiveCommand({ ...facts, archiveCommand: '(disabled)' }, 'chronos').detail).toBe(
      'archive_command is not set',
    );
    expect(judgeArchiveCommand({ ...facts, archiveCommand: 'cp %p /mnt/wal/%f' }, 'chronos').status).toBe('fail');
  });

  it('fails the archiver when the last failure is newer than the last success', () => {
    const failing = judgeArchiver({
      ...facts,
      lastFailedWal: '000000010000000000000004',
      lastFailedTime: new Date('2026-11-02T07:05:00Z'),
    });
    expect(failing.status).toBe('fail');
    expect(failing.detail).toContain('last failed 000000010000000000000004 at 2026-11-02T07:05:00.000Z');
  });
});

describe('judgeSystemId', () => {
  const facts = parsePostgresFacts(healthy);

  it('passes when the ids match', () => {
    expect(judgeSystemId(facts, { systemId: '7441234567890123456', pgVersion: '15' }, 'chronos').status).toBe('ok');
  });

  it('names both ids and the choices when the cluster was re-initialized (same major: no upgrade)', () => {
    const check = judgeSystemId(facts, { systemId: '7399999999999999999', pgVersion: '15' }, 'chronos');
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('system id 7441234567890123456');
    expect(check.detail).toContain("repository's 7399999999999999999");
    expect(check.detail).toContain('re-initialized');
    expect(check.fix).toMatch(/\(1\) a new stanza name .*\(2\) stanza delete --force then stanza create/);
    expect(check.fix).toContain('stanza upgrade is only for a major upgrade');
  });

  it('puts stanza upgrade first when the major version changed', () => {
    const check = judgeSystemId(facts, { systemId: '7399999999999999999', pgVersion: '14' }, 'chronos');
    expect(check.fix).toMatch(/^Choose one: \(1\) stanza upgrade: .*PostgreSQL 14 -> 15/);
  });

  it('warns when the repositories hold no database for the stanza yet', () => {
    expect(judgeSystemId(facts, undefined, 'chronos')).toMatchObject({ status: 'warn' });
  });
});
