import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCommand, buildCommand, checkCommand } from '../../../src/commands/index.js';
import {
  PgBackRestAbortError,
  type PgBackRestExitError,
  PgBackRestFileMissingError,
  PgBackRestLockAcquireError,
  PgBackRestOptionInvalidError,
  PgBackRestSpawnError,
  PgBackRestTimeoutError,
} from '../../../src/errors/index.js';
import { execute, executeStream, type LogEvent } from '../../../src/exec/index.js';
import { integrationGate } from '../../../src/testing/availability.js';

const bin = fileURLToPath(new URL('../../fixtures/bin/pgbackrest', import.meta.url));
const rootSkip = await integrationGate({
  available: process.getuid?.() === 0,
  reason: 'running pgBackRest as another user (runuser) needs root',
});
const fakeSsh = fileURLToPath(new URL('../../fixtures/bin/ssh', import.meta.url));
const recorded = (name: string) => fileURLToPath(new URL(`../../fixtures/recorded-local/${name}`, import.meta.url));

/** Runs the fake with FAKE_* settings in its environment (they are not pgBackRest options, so set them directly). */
async function withEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await run();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chronos-exec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('execute', () => {
  it('runs the binary with argv and secrets in env', async () => {
    const result = await execute(backupCommand({ stanza: 'main', type: 'full', 'repo1-cipher-pass': 'p@ss' }, { bin }));
    expect(JSON.parse(result.stdout)).toEqual({
      args: ['--stanza=main', '--type=full', 'backup'],
      env: { PGBACKREST_REPO1_CIPHER_PASS: 'p@ss' },
    });
    expect(result.command).toBe(`PGBACKREST_REPO1_CIPHER_PASS=<redacted> ${bin} --stanza=main --type=full backup`);
  });

  it.each([
    ['error-055-file-missing-2.45.stderr', 55, PgBackRestFileMissingError],
    ['error-031-secure-on-command-line-2.45.stderr', 31, PgBackRestOptionInvalidError],
  ])('maps recorded %s (exit %i) to its class', async (file, exit, ErrorClass) => {
    const error = await withEnv({ FAKE_EXIT: String(exit), FAKE_STDERR_FILE: recorded(file) }, () =>
      execute(checkCommand({ stanza: 'main', 'repo1-cipher-pass': 'hidden' }, { bin })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    const exitError = error as PgBackRestExitError;
    expect(exitError.exitCode).toBe(exit);
    expect(exitError.stderr).toBe(readFileSync(recorded(file), 'utf8'));
    expect(exitError.command).toContain('PGBACKREST_REPO1_CIPHER_PASS=<redacted>');
    expect(exitError.message).not.toContain('hidden');
    expect(exitError.hints.length).toBeGreaterThan(0);
  });

  it('maps a bare exit status to its class', async () => {
    const error = await withEnv({ FAKE_EXIT: '50' }, () => execute(checkCommand({}, { bin }))).catch((e) => e);
    expect(error).toBeInstanceOf(PgBackRestLockAcquireError);
  });

  it('accepts exit statuses that are answers', async () => {
    const result = await withEnv({ FAKE_EXIT: '1' }, () =>
      execute(checkCommand({}, { bin }), { acceptExitCodes: [1] }),
    );
    expect(result.exitCode).toBe(1);
  });

  it('reports a missing binary as a spawn error', async () => {
    const error = await execute(checkCommand({}, { bin: join(dir, 'no-such-pgbackrest') })).catch((e) => e);
    expect(error).toBeInstanceOf(PgBackRestSpawnError);
    expect(error.kind).toBe('spawn');
  });

  it('kills the whole process tree on timeout and leaves no orphan', async () => {
    const pidFile = join(dir, 'hang.pid');
    const error = await withEnv({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }, () =>
      execute(checkCommand({}, { bin }), { timeout: 1_000 }),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(PgBackRestTimeoutError);
    expect(error.timeoutMs).toBe(1_000);
    const [leader, child] = (await readFile(pidFile, 'utf8')).split(' ').map(Number) as [number, number];
    expect(alive(leader)).toBe(false);
    expect(alive(child)).toBe(false);
    expect(alive(-leader)).toBe(false);
  });

  it('cancels through an AbortSignal and kills the tree', async () => {
    const pidFile = join(dir, 'abort.pid');
    const controller = new AbortController();
    const run = withEnv({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }, () =>
      execute(checkCommand({}, { bin }), { signal: controller.signal }),
    ).catch((e) => e);
    for (let i = 0; !(await readFile(pidFile, 'utf8').catch(() => '')); i++) {
      if (i >= 200) throw new Error('the fake pgbackrest never wrote its pid file');
      await new Promise((r) => setTimeout(r, 50));
    }
    controller.abort(new Error('operator pressed stop'));
    const error = await run;
    expect(error).toBeInstanceOf(PgBackRestAbortError);
    expect((error as Error).cause).toEqual(new Error('operator pressed stop'));
    const [leader, child] = (await readFile(pidFile, 'utf8')).split(' ').map(Number) as [number, number];
    expect(alive(leader)).toBe(false);
    expect(alive(child)).toBe(false);
  });
});

describe('log streaming', () => {
  it('parses recorded console output into events, via callback and async iterator', async () => {
    const vars = {
      FAKE_EXIT: '0',
      FAKE_STDOUT_FILE: recorded('error-055-console-format-2.45.stdout'),
    };
    const seen: LogEvent[] = [];
    await withEnv(vars, () => execute(checkCommand({}, { bin }), { onLog: (event) => seen.push(event) }));
    expect(seen.map((e) => e.level)).toEqual(['INFO', 'WARN', 'ERROR', 'INFO']);
    expect(seen[0]).toMatchObject({ processId: 0, stream: 'stdout' });
    expect(seen[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    expect(seen[2]?.message).toMatch(
      /^\[055\]: unable to load info file[\s\S]*\nHINT: has a stanza-create been performed\?$/,
    );

    const streamed: LogEvent[] = [];
    await withEnv(vars, async () => {
      const run = executeStream(checkCommand({}, { bin }));
      for await (const event of run.events) streamed.push(event);
      await run.result;
    });
    expect(streamed).toEqual(seen);
  });
});

describe('transports', () => {
  it('ssh: secrets travel on stdin, not on the remote command line', async () => {
    const log = join(dir, 'ssh.log');
    const result = await withEnv({ FAKE_SSH_LOG: log }, () =>
      execute(backupCommand({ stanza: "it's", 'repo1-s3-key-secret': 's3 \'cr"et $HOME' }, { bin }), {
        transport: { kind: 'ssh', host: 'db1', ssh: fakeSsh },
      }),
    );
    expect(JSON.parse(result.stdout)).toMatchObject({
      args: ["--stanza=it's", 'backup'],
      env: { PGBACKREST_REPO1_S3_KEY_SECRET: 's3 \'cr"et $HOME' },
    });
    const remote = await readFile(log, 'utf8');
    expect(remote).not.toContain('cr"et');
    expect(remote).toMatch(/^echo "chronos-exec-pid \$\$"; while IFS= read -r l; do export "\$l"; done; exec /);
  });

  it('ssh: after a timeout the kill grace lasts killGraceMs, here and over there', async () => {
    const pidFile = join(dir, 'grace.pid');
    const times = join(dir, 'grace.times');
    const started = Date.now();
    // Longer than the default (2 s), so only an honoured killGraceMs passes; lower bounds only, load cannot fail it.
    const killGraceMs = 2_600;
    const error = await withEnv({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile, FAKE_SSH_TIMES: times }, () =>
      execute(checkCommand({}, { bin }), {
        transport: { kind: 'ssh', host: 'db1', ssh: fakeSsh },
        timeout: 1_000,
        killGraceMs,
      }),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(PgBackRestTimeoutError);
    const sent = (await readFile(times, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => ({ at: Number(line.split(' ')[0]), remote: line.slice(line.indexOf(' ') + 1) }));
    const term = sent.find((s) => /^exec kill -TERM -- -\d+$/.test(s.remote));
    const kill = sent.find((s) => /^exec kill -KILL -- -\d+$/.test(s.remote));
    expect(term && kill, JSON.stringify(sent)).toBeTruthy();
    // The fake ignores SIGTERM: the local run ends only with the local SIGKILL, killGraceMs after the timeout.
    expect(term!.at - started).toBeGreaterThanOrEqual(1_000 + killGraceMs);
    expect(kill!.at - term!.at).toBeGreaterThanOrEqual(killGraceMs);
    const [leader, child] = (await readFile(pidFile, 'utf8')).split(' ').map(Number) as [number, number];
    expect(alive(leader)).toBe(false);
    expect(alive(child)).toBe(false);
  }, 30_000);

  it('ssh: an abort during the kill grace ends it at once', async () => {
    const pidFile = join(dir, 'grace-abort.pid');
    const controller = new AbortController();
    const started = Date.now();
    const run = withEnv({ FAKE_HANG: '1', FAKE_PID_FILE: pidFile }, () =>
      execute(checkCommand({}, { bin }), {
        transport: { kind: 'ssh', host: 'db1', ssh: fakeSsh },
        timeout: 1_000,
        killGraceMs: 60_000,
        signal: controller.signal,
      }),
    ).catch((e) => e);
    setTimeout(() => controller.abort(new Error('stop waiting')), 1_500);
    const error = await run;
    expect(error).toBeInstanceOf(PgBackRestTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    const [leader, child] = (await readFile(pidFile, 'utf8')).split(' ').map(Number) as [number, number];
    expect(alive(leader)).toBe(false);
    expect(alive(child)).toBe(false);
  });

  it('ssh: secrets: refuse is a configuration error before anything runs', async () => {
    await expect(
      execute(buildCommand('check', { 'repo1-cipher-pass': 'x' }, { bin }), {
        transport: { kind: 'ssh', host: 'db1', ssh: join(dir, 'never-run'), secrets: 'refuse' },
      }),
    ).rejects.toThrow(/cannot be sent over ssh/);
  });

  it.skipIf(rootSkip)(rootSkip ?? 'runs as another user with only PGBACKREST_* passed on', async () => {
    const result = await withEnv({ UNRELATED_SECRET: 'x', PGBACKREST_LOG_LEVEL_CONSOLE: 'warn' }, () =>
      execute(checkCommand({ 'repo1-cipher-pass': 'pw' }, { bin }), {
        transport: { kind: 'local', runAs: { user: 'postgres' } },
      }),
    );
    expect(JSON.parse(result.stdout).env).toEqual({
      PGBACKREST_REPO1_CIPHER_PASS: 'pw',
      PGBACKREST_LOG_LEVEL_CONSOLE: 'warn',
    });
  });
});
