import { describe, expect, it } from 'vitest';
import {
  annotateCommand,
  archiveGetCommand,
  archivePushCommand,
  backupCommand,
  buildCommand,
  checkCommand,
  expireCommand,
  infoCommand,
  type PgBackRestCommand,
  render,
  repoGetCommand,
  repoLsCommand,
  restoreCommand,
  serverPingCommand,
  stanzaCreateCommand,
  stanzaDeleteCommand,
  stanzaUpgradeCommand,
  startCommand,
  stopCommand,
  verifyCommand,
  versionCommand,
} from '../../../src/commands/index.js';
import { PgBackRestConfigurationError } from '../../../src/errors/index.js';

const v245 = { version: '2.45' };
const configError = (fn: () => unknown, message: RegExp) => {
  expect(fn).toThrow(PgBackRestConfigurationError);
  expect(fn).toThrow(message);
};

describe('every command builder', () => {
  const cases: [string, PgBackRestCommand, string[]][] = [
    [
      'annotate',
      annotateCommand({ stanza: 'm', set: '20260101-000000F', annotation: { a: '1', b: 'x y' } }),
      ['--stanza=m', '--set=20260101-000000F', '--annotation=a=1', '--annotation=b=x y', 'annotate'],
    ],
    [
      'archive-get',
      archiveGetCommand('000000010000000000000001', 'pg_wal/RECOVERYXLOG', { stanza: 'm' }),
      ['--stanza=m', 'archive-get', '000000010000000000000001', 'pg_wal/RECOVERYXLOG'],
    ],
    [
      'archive-push',
      archivePushCommand('pg_wal/000000010000000000000001', { stanza: 'm', 'archive-async': true }),
      ['--stanza=m', '--archive-async', 'archive-push', 'pg_wal/000000010000000000000001'],
    ],
    [
      'backup',
      backupCommand({ stanza: 'm', type: 'full', 'start-fast': true, 'archive-check': false }, v245),
      ['--stanza=m', '--type=full', '--start-fast', '--no-archive-check', 'backup'],
    ],
    ['check', checkCommand({ stanza: 'm', 'archive-timeout': 30 }), ['--stanza=m', '--archive-timeout=30', 'check']],
    [
      'expire',
      expireCommand({ stanza: 'm', 'dry-run': true, 'repo1-retention-full': 2 }),
      ['--stanza=m', '--dry-run', '--repo1-retention-full=2', 'expire'],
    ],
    [
      'info',
      infoCommand({ stanza: 'm', output: 'json', set: '20260101-000000F' }),
      ['--stanza=m', '--output=json', '--set=20260101-000000F', 'info'],
    ],
    [
      'repo-get',
      repoGetCommand('backup/m/backup.info', { stanza: 'm' }),
      ['--stanza=m', 'repo-get', 'backup/m/backup.info'],
    ],
    [
      'repo-ls',
      repoLsCommand('archive', { output: 'json', recurse: true }),
      ['--output=json', '--recurse', 'repo-ls', 'archive'],
    ],
    ['repo-ls without path', repoLsCommand(), ['repo-ls']],
    [
      'restore',
      restoreCommand({
        stanza: 'm',
        type: 'time',
        target: '2026-01-01 00:00:00+00',
        'target-action': 'promote',
        'archive-mode': 'off',
        'db-include': ['app', 'crm'],
      }),
      [
        '--stanza=m',
        '--type=time',
        '--target=2026-01-01 00:00:00+00',
        '--target-action=promote',
        '--archive-mode=off',
        '--db-include=app',
        '--db-include=crm',
        'restore',
      ],
    ],
    [
      'server-ping',
      serverPingCommand({ 'tls-server-address': 'localhost' }),
      ['--tls-server-address=localhost', 'server-ping'],
    ],
    [
      'stanza-create',
      stanzaCreateCommand({ stanza: 'm', 'pg1-path': '/pg', 'repo1-path': '/repo' }),
      ['--stanza=m', '--pg1-path=/pg', '--repo1-path=/repo', 'stanza-create'],
    ],
    ['stanza-delete', stanzaDeleteCommand({ stanza: 'm', force: true }), ['--stanza=m', '--force', 'stanza-delete']],
    [
      'stanza-upgrade',
      stanzaUpgradeCommand({ stanza: 'm', online: false }),
      ['--stanza=m', '--no-online', 'stanza-upgrade'],
    ],
    ['start', startCommand({ stanza: 'm' }), ['--stanza=m', 'start']],
    ['stop', stopCommand({ stanza: 'm', force: true }), ['--stanza=m', '--force', 'stop']],
    [
      'verify',
      verifyCommand({ stanza: 'm', output: 'text', verbose: true }),
      ['--stanza=m', '--output=text', '--verbose', 'verify'],
    ],
    ['version', versionCommand({}, v245), ['version']],
  ];
  it.each(cases)('%s renders its argv', (_name, command, args) => {
    expect(command.args).toEqual(args);
    expect(command.file).toBe('pgbackrest');
  });

  it('uses the configured binary', () => {
    expect(checkCommand({ stanza: 'm' }, { bin: '/opt/pgbackrest/bin/pgbackrest' }).file).toBe(
      '/opt/pgbackrest/bin/pgbackrest',
    );
  });
});

describe('secrets', () => {
  const command = backupCommand(
    {
      stanza: 'm',
      'repo1-cipher-type': 'aes-256-cbc',
      'repo1-cipher-pass': 'pass phrase; rm -rf /',
      'repo2-s3-key': 'akia-value',
      'repo2-s3-key-secret': 'secret-value',
    },
    v245,
  );
  it('go to PGBACKREST_* env, never argv', () => {
    expect(command.env).toEqual({
      PGBACKREST_REPO1_CIPHER_PASS: 'pass phrase; rm -rf /',
      PGBACKREST_REPO2_S3_KEY: 'akia-value',
      PGBACKREST_REPO2_S3_KEY_SECRET: 'secret-value',
    });
    expect(command.args.join(' ')).not.toMatch(/pass phrase|akia-value|secret-value/);
    expect(command.secretEnv).toHaveLength(3);
  });
  it('are redacted by render', () => {
    const text = render(command);
    expect(text).not.toMatch(/pass phrase|akia-value|secret-value/);
    expect(text).toBe(
      'PGBACKREST_REPO1_CIPHER_PASS=<redacted> PGBACKREST_REPO2_S3_KEY=<redacted> PGBACKREST_REPO2_S3_KEY_SECRET=<redacted> pgbackrest --stanza=m --repo1-cipher-type=aes-256-cbc backup',
    );
  });
  it('render quotes words a shell would split', () => {
    expect(render(restoreCommand({ stanza: 'm', type: 'name', target: "it's here" }))).toBe(
      "pgbackrest --stanza=m --type=name '--target=it'\\''s here' restore",
    );
  });
});

describe('values', () => {
  it('renders times as seconds, fractions in the unit the version takes', () => {
    expect(checkCommand({ 'archive-timeout': 90 }, v245).args).toContain('--archive-timeout=90');
    expect(checkCommand({ 'archive-timeout': 0.5 }, v245).args).toContain('--archive-timeout=0.5');
    expect(checkCommand({ 'archive-timeout': 0.5 }, { version: '2.55.1' }).args).toContain('--archive-timeout=500ms');
  });
  it('renders deprecated and indexed names canonically', () => {
    expect(buildCommand('backup', { 'db1-path': '/pg' }, v245).args).toContain('--pg1-path=/pg');
    expect(buildCommand('expire', { 'retention-full': 2 }, v245).args).toContain('--repo1-retention-full=2');
  });
  it('omits false for command-line booleans that cannot be negated', () => {
    expect(expireCommand({ stanza: 'm', 'dry-run': false }).args).toEqual(['--stanza=m', 'expire']);
  });
  it('renders sizes as bytes or unit strings', () => {
    expect(backupCommand({ 'buffer-size': '4MiB' }).args).toContain('--buffer-size=4MiB');
    expect(backupCommand({ 'repo1-storage-upload-chunk-size': 8388608 }).args).toContain(
      '--repo1-storage-upload-chunk-size=8388608',
    );
  });
});

describe('configuration errors before anything runs', () => {
  it('refuses options the command does not take', () => {
    configError(() => buildCommand('backup', { target: 'x' }), /does not apply to the 'backup' command/);
  });
  it('refuses options the version lacks, saying where they appeared', () => {
    configError(
      () => buildCommand('backup', { 'repo1-sftp-host': 'h' }, v245),
      /pgBackRest 2.45 has no option 'repo1-sftp-host' \(it exists from pgBackRest 2.55.1\)/,
    );
    configError(() => buildCommand('backup', { 'start-fastest': true }), /check the spelling/);
  });
  it('refuses values outside allow-lists and ranges', () => {
    configError(() => buildCommand('backup', { type: 'weekly' }), /allows 'full', 'diff', 'incr'; got 'weekly'/);
    configError(() => buildCommand('backup', { 'process-max': 0 }), /within 1\.\.999/);
    configError(() => buildCommand('backup', { 'process-max': 1.5 }), /is an integer/);
    configError(() => buildCommand('backup', { 'start-fast': 'y' }), /is a boolean/);
    configError(() => buildCommand('check', { 'archive-timeout': -1 }), /non-negative/);
    configError(() => buildCommand('backup', { 'buffer-size': '3MiB' }), /allows/);
  });
  it('refuses restore targets that do not fit the type', () => {
    configError(() => restoreCommand({ stanza: 'm', type: 'time' }), /needs a 'target'/);
    configError(() => restoreCommand({ stanza: 'm', target: 'x' }), /applies only to restore types/);
  });
  it('refuses unknown commands and parameters where none are taken', () => {
    configError(() => buildCommand('frobnicate', {}), /has no 'frobnicate' command/);
    configError(() => buildCommand('backup', {}, {}, ['x']), /takes no parameters/);
  });
});
