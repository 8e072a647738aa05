import { chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelope, FIXTURES, runCli } from '../helpers/run-cli.js';

describe('chronos config lint', () => {
  it('exits 0 on a clean file', async () => {
    const run = await runCli(['config', 'lint', `${FIXTURES}config/clean.conf`]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('clean');
  });

  it('exits 1 listing each error with its line and a fix', async () => {
    const run = await runCli(['config', 'lint', `${FIXTURES}config/errors.conf`, '--json']);
    expect(run.exitCode).toBe(1);
    const { result } = envelope(run);
    expect(result.ok).toBe(false);
    const byLine = Object.fromEntries(result.findings.map((f: { line: number; code: string }) => [f.line, f.code]));
    expect(byLine).toMatchObject({ 3: 'unknown-option', 4: 'not-allowed', 5: 'out-of-range', 8: 'invalid-value' });
  });

  it('suggests the option that was meant', async () => {
    const run = await runCli(['config', 'lint', `${FIXTURES}config/errors.conf`]);
    expect(run.stdout).toMatch(
      /errors\.conf:3: error unknown-option: .*\n\s+fix: Did you mean 'repo1-retention-full'\?/,
    );
  });

  it('flags a secret in a file others can read without printing it', async () => {
    const secret = 'a-real-looking-passphrase-31337';
    const path = join(tmpdir(), `chronos-${process.pid}-secret.conf`);
    writeFileSync(
      path,
      `[global]\nrepo1-path=/var/lib/pgbackrest\nrepo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=${secret}\n\n[main]\npg1-path=/srv/pg\n`,
    );
    chmodSync(path, 0o644);
    const run = await runCli(['config', 'lint', path, '--json']);
    const { result } = envelope(run);
    expect(result.findings.some((f: { line: number }) => f.line === 4)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('lints against the catalogue of the version asked for', async () => {
    const run = await runCli([
      'config',
      'lint',
      `${FIXTURES}config/clean.conf`,
      '--pgbackrest-version',
      '2.55.1',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    expect(envelope(run).result.catalogueVersion).toBe('2.55.1');
  });

  it('reports a missing file as a usage error (exit 2)', async () => {
    const run = await runCli(['config', 'lint', '/nonexistent/pgbackrest.conf']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no such file');
  });
});
