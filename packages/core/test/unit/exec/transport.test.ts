import { describe, expect, it } from 'vitest';
import { backupCommand, checkCommand } from '../../../src/commands/index.js';
import { PgBackRestConfigurationError } from '../../../src/errors/index.js';
import { parseLogLines } from '../../../src/exec/index.js';
import {
  dockerKillRequest,
  remoteKillRequest,
  sshKillRequest,
  toProcessRequest,
  withoutPidLine,
} from '../../../src/exec/transport.js';

const secret = backupCommand({ stanza: 'main', 'repo1-cipher-pass': 'pw' });

describe('toProcessRequest', () => {
  it('local: the command as built', () => {
    expect(toProcessRequest(secret)).toEqual({ file: 'pgbackrest', args: secret.args, env: secret.env });
  });

  it('docker: -u postgres and -e NAME without value, so secrets stay out of docker argv', () => {
    const request = toProcessRequest(secret, { kind: 'docker', container: 'pg15' });
    expect(request).toEqual({
      file: 'docker',
      args: [
        'exec',
        '-u',
        'postgres',
        '-e',
        'PGBACKREST_REPO1_CIPHER_PASS',
        'pg15',
        'sh',
        '-c',
        'echo "chronos-exec-pid $$"; exec "$@"',
        'sh',
        'pgbackrest',
        '--stanza=main',
        'backup',
      ],
      env: { PGBACKREST_REPO1_CIPHER_PASS: 'pw' },
    });
    expect(request.args.join(' ')).not.toContain('pw ');
  });

  it('runuser: only PATH, locale and PGBACKREST_* inherited', () => {
    const request = toProcessRequest(
      secret,
      { kind: 'local', runAs: { user: 'postgres' } },
      { PATH: '/bin', HOME: '/root', PGBACKREST_REPO1_PATH: '/r', AWS_SECRET: 'x' },
    );
    expect(request.file).toBe('runuser');
    expect(request.args).toEqual(['-u', 'postgres', '--', 'pgbackrest', '--stanza=main', 'backup']);
    expect(request.inheritEnv).toEqual([
      'PATH',
      'LANG',
      'LC_ALL',
      'TZ',
      'PGBACKREST_REPO1_PATH',
      'PGBACKREST_REPO1_CIPHER_PASS',
    ]);
  });

  it('sudo: preserves exactly the PGBACKREST_* names', () => {
    const request = toProcessRequest(secret, { kind: 'local', runAs: { user: 'postgres', via: 'sudo' } }, {});
    expect(request.args).toEqual([
      '-n',
      '-u',
      'postgres',
      '--preserve-env=PGBACKREST_REPO1_CIPHER_PASS',
      '--',
      'pgbackrest',
      '--stanza=main',
      'backup',
    ]);
  });

  it('ssh: quoted remote command, secrets on stdin', () => {
    const request = toProcessRequest(secret, { kind: 'ssh', host: 'db1', user: 'postgres', port: 2222 });
    expect(request.args).toEqual([
      '-o',
      'BatchMode=yes',
      '-p',
      '2222',
      '-l',
      'postgres',
      '--',
      'db1',
      'echo "chronos-exec-pid $$"; while IFS= read -r l; do export "$l"; done; exec pgbackrest --stanza=main backup',
    ]);
    expect(request.input).toBe('PGBACKREST_REPO1_CIPHER_PASS=pw\n');
    expect(toProcessRequest(checkCommand({ stanza: 'a b' }), { kind: 'ssh', host: 'db1' }).args.at(-1)).toBe(
      `echo "chronos-exec-pid $$"; exec pgbackrest '--stanza=a b' check`,
    );
  });

  it('ssh: the remote group is killed over a new connection with the same settings', () => {
    const transport = {
      kind: 'ssh',
      host: 'db1',
      user: 'postgres',
      port: 2222,
      options: ['IdentitiesOnly=yes'],
    } as const;
    expect(sshKillRequest(transport, 4242, 'TERM').args).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-p',
      '2222',
      '-l',
      'postgres',
      '--',
      'db1',
      'exec kill -TERM -- -4242',
    ]);
    expect(remoteKillRequest({ kind: 'docker', container: 'pg' }, 7, 'KILL').args).toEqual(
      dockerKillRequest({ kind: 'docker', container: 'pg' }, 7, 'KILL').args,
    );
    expect(withoutPidLine('chronos-exec-pid 4242\npgBackRest 2.45\n')).toBe('pgBackRest 2.45\n');
  });

  it('refuses names that could become options of docker, ssh or runuser', () => {
    for (const transport of [
      { kind: 'docker', container: '--privileged' },
      { kind: 'ssh', host: '-oProxyCommand=x' },
      { kind: 'local', runAs: { user: 'root --' } },
    ] as const) {
      expect(() => toProcessRequest(secret, transport)).toThrow(PgBackRestConfigurationError);
    }
  });
});

describe('parseLogLines', () => {
  it('reads stderr-format lines without timestamps', () => {
    expect(parseLogLines('WARN: a\n      HINT: b\nERROR: [050]: c', 'stderr')).toEqual([
      { level: 'WARN', message: 'a\nHINT: b', stream: 'stderr' },
      { level: 'ERROR', message: '[050]: c', stream: 'stderr' },
    ]);
  });
});
