import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgBackRest } from '../../src/client/pgbackrest-client.js';
import { PgBackRestAbortError, PgBackRestTimeoutError } from '../../src/errors/pgbackrest-error.js';
import { runProcess } from '../../src/exec/process.js';
import type { SshTransport } from '../../src/exec/transport.js';
import { compilePolicy, validatePolicy } from '../../src/policy/index.js';
import { integrationGate, probePgBackRest } from '../../src/testing/availability.js';
import { ensureSuccess, startNativeStack } from '../../src/testing/index.js';

// The ssh transport against a real OpenSSH server on 127.0.0.1: sshd runs from a temporary directory with its own
// host key, authorized key, port and pid file, logs in as postgres and runs the native pgBackRest. A repo-get of a
// named pipe blocks in open() until killed, which makes a run last as long as the test wants.

const SSHD = '/usr/sbin/sshd';
const root = process.getuid?.() === 0;
const skip = await integrationGate(await probePgBackRest(), {
  available: existsSync(SSHD) && root,
  reason: root ? `no ${SSHD} (scripts/stack/prepare.sh installs openssh-server)` : 'needs root to start sshd',
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** pgBackRest processes whose command line names this test's repository. */
async function remotePgBackRest(marker: string): Promise<string[]> {
  const ps = await runProcess({ file: 'ps', args: ['-u', 'postgres', '-o', 'pid=,pgid=,args='], timeout: 10_000 });
  return ps.stdout.split('\n').filter((line) => line.includes('pgbackrest') && line.includes(marker));
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe.skipIf(skip)(skip ?? 'ssh transport against OpenSSH on 127.0.0.1 and the native pgBackRest', () => {
  let dir = '';
  let repo = '';
  let sshd: ChildProcess | undefined;
  let madeRunDir = false;
  let transport: SshTransport;
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chronos-ssh-'));
    chmodSync(dir, 0o755);
    for (const key of ['host_key', 'client_key']) {
      const made = await runProcess({
        file: 'ssh-keygen',
        args: ['-q', '-t', 'ed25519', '-N', '', '-C', 'chronos-test', '-f', join(dir, key)],
        timeout: 30_000,
      });
      if (made.exitCode !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
    }
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o644 });
    port = await freePort();
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        // PAM, so the postgres account (no password, locked in /etc/shadow) may log in with a key.
        'UsePAM yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'AllowUsers postgres',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`);
    if (!existsSync('/run/sshd')) {
      mkdirSync('/run/sshd', { mode: 0o755 });
      madeRunDir = true;
    }
    sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    sshd.stderr?.on('data', (chunk) => {
      log += String(chunk);
    });
    await waitFor(() => accepts(port), `sshd on port ${port} (${log})`);

    repo = join(dir, 'repo');
    mkdirSync(repo);
    const ids = await runProcess({ file: 'id', args: ['-u', 'postgres'], timeout: 10_000 });
    const gid = await runProcess({ file: 'id', args: ['-g', 'postgres'], timeout: 10_000 });
    chownSync(repo, Number(ids.stdout), Number(gid.stdout));
    writeFileSync(join(repo, 'hello.txt'), 'hello over ssh\n', { mode: 0o644 });
    const fifo = await runProcess({ file: 'mkfifo', args: ['-m', '0666', join(repo, 'blocker')], timeout: 10_000 });
    if (fifo.exitCode !== 0) throw new Error(`mkfifo: ${fifo.stderr}`);
    writeFileSync(join(dir, 'pgbackrest.conf'), `[global]\nrepo1-path=${repo}\nlog-level-file=off\n`, { mode: 0o644 });
    transport = {
      kind: 'ssh',
      host: '127.0.0.1',
      port,
      user: 'postgres',
      options: [
        `IdentityFile=${join(dir, 'client_key')}`,
        'IdentitiesOnly=yes',
        `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
        'GlobalKnownHostsFile=/dev/null',
        'StrictHostKeyChecking=yes',
      ],
    };
  }, 120_000);

  afterAll(async () => {
    // A failing test may leave its remote pgBackRest behind: end it before its directory goes.
    for (const line of dir === '' ? [] : await remotePgBackRest(dir)) {
      const pid = Number(line.trim().split(/\s+/)[0]);
      if (pid > 0) process.kill(pid, 'SIGKILL');
    }
    if (sshd?.exitCode === null) {
      const exited = new Promise((resolve) => sshd?.once('exit', resolve));
      sshd.kill('SIGTERM');
      await exited;
    }
    if (madeRunDir) rmSync('/run/sshd', { recursive: true, force: true });
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const client = () => createPgBackRest({ stanza: 'ssh-test', transport, config: join(dir, 'pgbackrest.conf') });

  it('runs client methods over ssh: version detection and repo-get, secrets on stdin', async () => {
    const pgbackrest = client();
    expect((await pgbackrest.version()).version).toBe('2.45');
    // A secure option travels as NAME=value on ssh's stdin and is exported before exec; the output is intact.
    const text = await pgbackrest.repoGet('hello.txt', { 'repo1-s3-key-secret': 'not-used-by-posix' });
    expect(text).toBe('hello over ssh\n');
  }, 60_000);

  it('a timeout ends the remote pgBackRest process group, not only the local ssh client', async () => {
    const pgbackrest = client();
    await pgbackrest.version();
    const run = pgbackrest.repoGet('blocker', {}, { timeout: 6_000 });
    run.catch(() => undefined);
    await waitFor(async () => (await remotePgBackRest(dir)).length > 0, 'the remote pgBackRest to start');
    await expect(run).rejects.toBeInstanceOf(PgBackRestTimeoutError);
    expect(await remotePgBackRest(dir)).toEqual([]);
  }, 60_000);

  it('an abort ends it too, with secrets on stdin', async () => {
    const pgbackrest = client();
    await pgbackrest.version();
    const controller = new AbortController();
    const run = pgbackrest.repoGet(
      'blocker',
      { 'repo1-s3-key-secret': 'not-used-by-posix' },
      { signal: controller.signal },
    );
    run.catch(() => undefined);
    await waitFor(async () => (await remotePgBackRest(dir)).length > 0, 'the remote pgBackRest to start');
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(PgBackRestAbortError);
    expect(await remotePgBackRest(dir)).toEqual([]);
  }, 60_000);

  it("the policy's ssh runtime: the compiled crontab line backs up over ssh, the passphrase on ssh's stdin", async () => {
    const cipherPass = `throwaway-${Math.random().toString(36).slice(2)}`;
    const stack = await startNativeStack({ repos: [{ type: 'posix', encrypted: true, cipherPass }] });
    try {
      ensureSuccess('stanza-create', await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']));
      const logFile = join(dir, 'job.log');
      const policy = compilePolicy(
        validatePolicy({
          version: 1,
          stanza: stack.stanza,
          database: { path: stack.pg.dataPath, port: stack.pg.port, socketPath: stack.pg.socketPath },
          repositories: [
            {
              name: 'local',
              type: 'posix',
              path: stack.repoPaths[0] ?? '/',
              offsite: false,
              retention: { full: { count: 2 } },
            },
          ],
          schedule: { full: { cron: '0 7 * * 0', timeZone: 'UTC' } },
          encryption: { cipher: 'aes-256-cbc', passphrase: { env: 'CHRONOS_TEST_CIPHER' } },
          archiving: { mode: 'continuous', async: false },
          runtime: { ssh: { host: '127.0.0.1', port, user: 'postgres' } },
          jobs: { logFile },
        }),
        { version: '2.45', configPath: stack.configPath },
      );
      const line = policy.schedules.crontab.split('\n').find((l) => l.startsWith('0 7 * * 0 ')) ?? '';
      writeFileSync(join(dir, 'job.env'), `CHRONOS_TEST_CIPHER=${cipherPass}\n`, { mode: 0o600 });
      const command = line
        .slice('0 7 * * 0 '.length)
        .replaceAll('\\%', '%')
        .replace(`/etc/pgbackrest/${stack.stanza}.env`, join(dir, 'job.env'));
      expect(command).toContain(`-p ${port} -l postgres -- 127.0.0.1`);
      expect(command).not.toContain(cipherPass);
      // The job calls `ssh` from PATH as cron would; this one adds the test's key and known host, nothing else.
      mkdirSync(join(dir, 'bin'));
      writeFileSync(
        join(dir, 'ssh_config'),
        transport.options?.map((option) => option.replace('=', ' ')).join('\n') ?? '',
        { mode: 0o644 },
      );
      writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${join(dir, 'ssh_config')} "$@"\n`, {
        mode: 0o755,
      });
      const run = await runProcess({
        file: 'sh',
        args: ['-c', command],
        env: { PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? ''}` },
        timeout: 240_000,
      });
      const log = readFileSync(logFile, 'utf8');
      expect(run.exitCode, `${run.stderr}\n${log}`).toBe(0);
      expect(log).toContain(`pgbackrest-${stack.stanza}-full: started (pgBackRest on 127.0.0.1 over ssh)`);
      expect(log).toContain(`pgbackrest-${stack.stanza}-full: backup repo1 (full) ok`);
      expect(log).not.toContain(cipherPass);
      const info = ensureSuccess(
        'info',
        await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, '--output=json', 'info']),
      );
      expect(info.stdout).toContain('"type":"full"');
    } finally {
      await stack.stop();
    }
  }, 300_000);
});
