import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envelope, FIXTURES, runCli } from '../helpers/run-cli.js';

const packageVersion = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

describe('chronos (global behaviour)', () => {
  it('prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe(packageVersion);
  });

  it('documents global options, their environment variables, exit codes and examples in --help', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    for (const name of [
      'CHRONOS_STANZA',
      'CHRONOS_CONFIG',
      'CHRONOS_BIN',
      'CHRONOS_DOCKER',
      'CHRONOS_SSH',
      'CHRONOS_USER',
    ]) {
      expect(run.stdout).toContain(name);
    }
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*2\s+usage/);
    expect(run.stdout).toMatch(/Examples:\n\s+\$ chronos /);
  });

  it.each([
    ['info'],
    ['status'],
    ['backup'],
    ['restore'],
    ['check'],
    ['expire'],
    ['verify'],
    ['config', 'lint'],
    ['policy', 'validate'],
    ['policy', 'compile'],
    ['policy', 'schedule'],
    ['policy', 'check'],
    ['verify-s3'],
    ['metrics'],
    ['demo'],
  ])('shows examples in `%s --help`', async (...command) => {
    const run = await runCli([...command, '--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Examples:\\n\\s+\\$ chronos .*${command.join(' ')}`));
  });

  it('rejects an unknown flag with exit code 2 and a one-line message', async () => {
    const run = await runCli(['--bogus-flag']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim()).toBe("chronos: usage error: unknown option '--bogus-flag'");
    expect(run.stdout).toBe('');
  });

  it('rejects a value outside the allowed choices with exit code 2', async () => {
    const run = await runCli(['backup', '--type', 'weekly']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("argument 'weekly' is invalid. Allowed choices are full, diff, incr");
  });

  it('rejects an unknown command with exit code 2 and a suggestion', async () => {
    const run = await runCli(['stauts']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('(Did you mean status?)');
  });

  it('runs the command named after the global options, whatever their values are called', async () => {
    const info = `${FIXTURES}info-2.45-s3-encrypted-plus-posix.json`;
    for (const args of [
      ['--stanza', 'status', '--json', 'info', '--from-file', info],
      ['--config=backup', '--user', 'restore', '--json', 'info', '--from-file', info],
    ]) {
      const run = await runCli(args);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(envelope(run).command).toBe('info');
    }
    const help = await runCli(['--stanza', 'info', 'help', 'status']);
    expect(help.stdout).toContain('Usage: chronos status');
  });

  it('reports a missing input file as a usage error, in JSON too', async () => {
    const run = await runCli(['info', '--from-file', `${FIXTURES}does-not-exist.json`, '--json']);
    expect(run.exitCode).toBe(2);
    const doc = envelope(run);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'info', exitCode: 2, error: { type: 'UsageError' } });
    expect(doc.error.message).toContain('no such file');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('never prints a secret from the environment in an error message', async () => {
    const secret = 'throwaway-passphrase-9f2c';
    const run = await runCli(['info', '--from-file', `/nonexistent/${secret}.json`], {
      env: { PGBACKREST_REPO1_CIPHER_PASS: secret },
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('[redacted]');
    expect(run.stderr).not.toContain(secret);
  });
});

describe('chronos restore (flag checks before pgBackRest runs)', () => {
  it.each([
    [['--time', '2026-11-24T02:00:00Z', '--xid', '1234'], 'give one restore target, not --time and --xid'],
    [['--name', 'before-upgrade', '--exclusive'], '--exclusive applies to --time, --xid and --lsn only'],
    [['--target-action', 'promote'], '--target-action needs a target'],
  ])('rejects %j with exit code 2', async (flags, message) => {
    const run = await runCli(['--stanza', 'main', 'restore', ...flags, '--dry-run']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('chronos expire (flag checks)', () => {
  it('refuses to expire for real', async () => {
    const run = await runCli(['--stanza', 'main', 'expire', '--retention-full', '2']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('only --dry-run is supported');
  });

  it('needs a retention to simulate', async () => {
    const run = await runCli(['--stanza', 'main', 'expire', '--dry-run']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--retention-full');
  });
});
