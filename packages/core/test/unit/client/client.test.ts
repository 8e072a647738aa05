import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgBackRest } from '../../../src/client/index.js';
import { PgBackRestConfigurationError } from '../../../src/errors/index.js';

const bin = fileURLToPath(new URL('../../fixtures/bin/pgbackrest', import.meta.url));
const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));
const echo = (stdout: string) => JSON.parse(stdout) as { args: string[]; env: Record<string, string> };

afterEach(() => {
  delete process.env.FAKE_STDOUT_FILE;
  delete process.env.FAKE_EXIT;
});

describe('createPgBackRest', () => {
  const client = createPgBackRest({
    stanza: 'main',
    bin,
    config: '/etc/chronos/pgbackrest.conf',
    options: { 'repo1-path': '/repo', 'repo1-cipher-pass': 'pw', 'log-level-console': 'warn', 'start-fast': true },
  });

  it('detects the version once and builds for it', async () => {
    expect((await client.version()).version).toBe('2.45');
    const command = await client.build('backup', { 'repo2-sftp-host': 'x' }).catch((e) => e);
    expect(command).toBeInstanceOf(PgBackRestConfigurationError);
    expect(command.message).toMatch(/pgBackRest 2.45 has no option 'repo2-sftp-host'/);
  });

  it('runs `pgbackrest version` once for many calls, concurrent ones included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chronos-client-calls-'));
    process.env.FAKE_CALLS_FILE = join(dir, 'calls');
    try {
      const fresh = createPgBackRest({ stanza: 'main', bin });
      await Promise.all([fresh.check(), fresh.backup({ type: 'full' }), fresh.version()]);
      await fresh.expire();
      await fresh.version();
      const calls = (await readFile(join(dir, 'calls'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as string[]);
      expect(calls.filter((args) => args.at(-1) === 'version')).toHaveLength(1);
      expect(calls.map((args) => args.at(-1)).sort()).toEqual(['backup', 'check', 'expire', 'version']);
    } finally {
      delete process.env.FAKE_CALLS_FILE;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('routes client options: argv for plain ones, env for secrets, only where the command takes them', async () => {
    const backup = echo((await client.backup({ type: 'full' })).stdout);
    expect(backup.args).toEqual([
      '--config=/etc/chronos/pgbackrest.conf',
      '--stanza=main',
      '--repo1-path=/repo',
      '--log-level-console=warn',
      '--start-fast',
      '--type=full',
      'backup',
    ]);
    expect(backup.env).toEqual({ PGBACKREST_REPO1_CIPHER_PASS: 'pw' });
    const check = echo((await client.check()).stdout);
    expect(check.args).not.toContain('--start-fast');
    expect(check.args.at(-1)).toBe('check');
  });

  it('per-call options win and may not switch the stanza', async () => {
    expect(echo((await client.expire({ 'repo1-path': '/other' })).stdout).args).toContain('--repo1-path=/other');
    await expect(client.check({ stanza: 'x' } as never)).rejects.toThrow(/bound to one stanza/);
  });

  it('refuses client options the detected version does not know, rather than dropping them', async () => {
    const typo = createPgBackRest({ stanza: 'main', bin, options: { 'repo1-paht': '/repo' } as never });
    await expect(typo.check()).rejects.toThrow(/client option 'repo1-paht' does not exist in pgBackRest 2.45/);
  });

  it('refuses stanzaDelete without force: true', async () => {
    await expect(client.stanzaDelete({} as never)).rejects.toThrow(/pass force: true/);
    expect(echo((await client.stanzaDelete({ force: true })).stdout).args.slice(-2)).toEqual([
      '--force',
      'stanza-delete',
    ]);
  });

  it('parses info and verify output', async () => {
    process.env.FAKE_STDOUT_FILE = fixture('info/pgbackrest-2.45-s3-encrypted-plus-posix.json');
    const info = await client.info();
    expect(info[0]?.name).toBe('demo');
    process.env.FAKE_STDOUT_FILE = fixture('recorded-local/verify-error-2.45.txt');
    const verdict = await client.verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.backups).toHaveLength(3);
  });

  it('answers archiveGet with false when the segment is missing (exit 1)', async () => {
    process.env.FAKE_EXIT = '1';
    expect(await client.archiveGet('000000010000000000000009', 'pg_wal/RECOVERYXLOG')).toBe(false);
    process.env.FAKE_EXIT = '0';
    expect(await client.archiveGet('000000010000000000000009', 'pg_wal/RECOVERYXLOG')).toBe(true);
  });

  it('checks restore targets before running', async () => {
    await expect(client.restore({ type: 'xid' })).rejects.toThrow(/needs a 'target'/);
  });
});
