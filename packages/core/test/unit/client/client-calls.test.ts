import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgBackRest } from '../../../src/client/index.js';
import {
  PgBackRestAbortError,
  PgBackRestConfigurationError,
  PgBackRestTimeoutError,
} from '../../../src/errors/index.js';
import type { LogEvent } from '../../../src/exec/index.js';

const infoFixture = fileURLToPath(
  new URL('../../fixtures/info/pgbackrest-2.45-s3-encrypted-plus-posix.json', import.meta.url),
);

// A stand-in pgbackrest that logs each invocation, answers `version` after a delay, prints recorded info JSON for
// `info`, and otherwise prints a log line and exits with FAKE_EXIT (so the test counts and orders what ran).
let dir: string;
let made = 0;
async function fakePgBackRest(
  version: string,
  versionDelay = '0.2',
): Promise<{ bin: string; calls: () => Promise<string[]> }> {
  made += 1;
  const bin = join(dir, `pgbackrest-${made}`);
  const log = `${bin}.calls`;
  await writeFile(
    bin,
    [
      '#!/bin/sh',
      '[ -n "$FAKE_EXIT" ] || FAKE_EXIT=0',
      `echo "$*" >> '${log}'`,
      `case " $* " in *' version '*) sleep ${versionDelay}; echo 'pgBackRest ${version}'; exit 0;; esac`,
      `case " $* " in *' info '*) cat '${infoFixture}'; exit 0;; esac`,
      `echo '2026-12-02 05:00:00.000 P00   INFO: check command begin ${version}: --stanza=demo'`,
      'exit "$FAKE_EXIT"',
      '',
    ].join('\n'),
  );
  await chmod(bin, 0o755);
  return { bin, calls: async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chronos-client-calls-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('info before the version is known', () => {
  it('runs info once and detects no version when every release builds the same command', async () => {
    const fake = await fakePgBackRest('2.60.0');
    const client = createPgBackRest({
      stanza: 'demo',
      bin: fake.bin,
      options: { 'repo1-path': '/repo', 'repo1-cipher-pass': 'pw', 'log-level-console': 'warn' },
    });
    const info = await client.info();
    expect(info[0]?.name).toBe('demo');
    expect(await fake.calls()).toEqual([
      '--stanza=demo --repo1-path=/repo --log-level-console=warn --output=json info',
    ]);
    // The version is still detected when asked for, once.
    expect((await client.version()).version).toBe('2.60.0');
    await client.version();
    expect((await fake.calls()).filter((c) => /\bversion\b/.test(c))).toHaveLength(1);
  });

  it('detects the version beside info when releases render an option differently, and runs what it builds', async () => {
    const early = '--stanza=demo --io-timeout=1.5 --output=json info';
    for (const [version, exact] of [
      ['2.60.0', '--stanza=demo --io-timeout=1500ms --output=json info'],
      ['2.45', early],
    ] as const) {
      const fake = await fakePgBackRest(version);
      const client = createPgBackRest({ stanza: 'demo', bin: fake.bin });
      await client.info({ 'io-timeout': 1.5 });
      const calls = await fake.calls();
      expect(calls.filter((c) => /\bversion\b/.test(c))).toHaveLength(1);
      const infoCalls = calls.filter((c) => /\binfo\b/.test(c));
      // The oldest release's command starts at once; it is the answer only when the detected release builds it too.
      expect(infoCalls[0]).toBe(early);
      expect(infoCalls.at(-1)).toBe(exact);
      expect(infoCalls).toHaveLength(exact === early ? 1 : 2);
    }
  });

  it('waits for the version when the oldest release cannot build the command, then runs it once', async () => {
    const fake = await fakePgBackRest('2.60.0');
    const client = createPgBackRest({ stanza: 'demo', bin: fake.bin });
    await client.info({ 'repo-target-time': '2026-11-01 00:00:00+00' });
    const infoCalls = (await fake.calls()).filter((c) => /\binfo\b/.test(c));
    expect(infoCalls).toHaveLength(1);
    expect(infoCalls[0]).toContain('--repo-target-time=');
  });

  it('rejects an option the installed release lacks, with the typed configuration error, running no info', async () => {
    const fake = await fakePgBackRest('2.45');
    const client = createPgBackRest({ stanza: 'demo', bin: fake.bin });
    await expect(client.info({ 'repo-target-time': '2026-11-01 00:00:00+00' })).rejects.toBeInstanceOf(
      PgBackRestConfigurationError,
    );
    expect((await fake.calls()).filter((c) => /\binfo\b/.test(c))).toEqual([]);
  });
});

describe('generic run, render, accepted exit codes, log events', () => {
  it('runs any command by name with the client options merged, and renders it without running it', async () => {
    const fake = await fakePgBackRest('2.45', '0');
    const client = createPgBackRest({
      stanza: 'demo',
      bin: fake.bin,
      options: { 'repo1-path': '/repo', 'repo1-cipher-pass': 'never-printed' },
    });
    const line = await client.render('check', { 'archive-timeout': 30 });
    expect(line).toBe(
      `PGBACKREST_REPO1_CIPHER_PASS=<redacted> ${fake.bin} --stanza=demo --repo1-path=/repo --archive-timeout=30 check`,
    );
    expect(line).not.toContain('never-printed');
    expect((await fake.calls()).filter((c) => /\bcheck\b/.test(c))).toEqual([]);
    const events: LogEvent[] = [];
    const result = await client.run('check', { 'archive-timeout': 30 }, { onLog: (event) => events.push(event) });
    expect(result.command).toBe(line);
    expect(events.map((e) => [e.level, e.message.slice(0, 19)])).toEqual([['INFO', 'check command begin']]);
  });

  it('returns an accepted non-zero exit instead of throwing, and still throws for the others', async () => {
    const fake = await fakePgBackRest('2.45', '0');
    const client = createPgBackRest({ stanza: 'demo', bin: fake.bin });
    process.env.FAKE_EXIT = '28';
    try {
      expect((await client.run('check', {}, { acceptExitCodes: [28] })).exitCode).toBe(28);
      await expect(client.run('check')).rejects.toMatchObject({ exitCode: 28 });
    } finally {
      delete process.env.FAKE_EXIT;
    }
  });

  it("checks restore against the detected version's catalogue, not the newest", async () => {
    const fake = await fakePgBackRest('2.45', '0');
    const client = createPgBackRest({ stanza: 'demo', bin: fake.bin });
    // repo-target-time exists from 2.49 on: the newest catalogue accepts it, pgBackRest 2.45 does not.
    const refused = await client.render('restore', { 'repo-target-time': '2026-11-01 00:00:00+00' }).catch((e) => e);
    expect(refused).toBeInstanceOf(PgBackRestConfigurationError);
    expect(refused.message).toMatch(/2\.45/);
    await expect(client.run('restore', { type: 'time' })).rejects.toThrow(/restore type 'time' needs a 'target'/);
    expect((await fake.calls()).filter((c) => /\brestore\b/.test(c))).toEqual([]);
  });
});

describe('per-call signal and timeout cover version detection', () => {
  it('times a call out while the version is still being detected, and stops the detection', async () => {
    const fake = await fakePgBackRest('2.45', '30');
    const client = createPgBackRest({ stanza: 'demo', bin: fake.bin });
    const started = Date.now();
    const error = await client.check({}, { timeout: 300 }).catch((e) => e);
    expect(error).toBeInstanceOf(PgBackRestTimeoutError);
    expect(error.timeoutMs).toBe(300);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await fake.calls()).filter((c) => /\bcheck\b/.test(c))).toEqual([]);
  });

  it('aborts a call waiting for the version; another call still gets the version from the same detection', async () => {
    const fake = await fakePgBackRest('2.45', '0.5');
    const client = createPgBackRest({ stanza: 'demo', bin: fake.bin });
    const controller = new AbortController();
    const aborted = client.check({}, { signal: controller.signal }).catch((e) => e);
    const patient = client.version();
    controller.abort();
    expect(await aborted).toBeInstanceOf(PgBackRestAbortError);
    expect((await patient).version).toBe('2.45');
    expect((await fake.calls()).filter((c) => /\bversion\b/.test(c))).toHaveLength(1);
  });

  it('a client-wide signal aborts every call, detection included', async () => {
    const fake = await fakePgBackRest('2.45', '30');
    const controller = new AbortController();
    const client = createPgBackRest({ stanza: 'demo', bin: fake.bin, signal: controller.signal });
    const pending = client.check().catch((e) => e);
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toBeInstanceOf(PgBackRestAbortError);
  });
});
