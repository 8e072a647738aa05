import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, FIXTURES, runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'chronos-config-lint-'));
const warningsOnly = join(dir, 'warnings-only.conf');
writeFileSync(warningsOnly, '[global]\nrepo1-path=/var/lib/pgbackrest\n\n[main]\npg1-path=/srv/pg\n');
chmodSync(warningsOnly, 0o600);
const v245 = ['--pgbackrest-version', '2.45'];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chronos config lint', () => {
  it('exits 0 on a clean file', async () => {
    const run = await runCli(['config', 'lint', `${FIXTURES}config/clean.conf`, ...v245]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^clean: 1 file\(s\): 0 error/);
  });

  it('exits 1 listing each error as file:line:col severity code message, with its fix', async () => {
    const run = await runCli(['config', 'lint', `${FIXTURES}config/errors.conf`, ...v245]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      /errors\.conf:3:1 error unknown-option pgBackRest 2\.45 has no option 'repo1-retention-ful'.*\n\s+fix: Did you mean 'repo1-retention-full'\?/,
    );
    expect(run.stdout).toMatch(/errors\.conf:5:13 error out-of-range process-max=0 is outside 1\.\.999/);
    expect(run.stdout).toMatch(
      /errors\.conf:8:12 error invalid-value .*\n\s+fix: Write start-fast=y or start-fast=n\./,
    );
  });

  it('gives every finding with its position in --json', async () => {
    const run = await runCli(['config', 'lint', `${FIXTURES}config/errors.conf`, ...v245, '--json']);
    expect(run.exitCode).toBe(1);
    const { result } = envelope(run);
    expect(result).toMatchObject({ ok: false, errors: 4, warnings: 1, pgbackrestVersion: '2.45' });
    const findings = result.files[0].findings.map((f: { line: number; column: number; code: string }) => [
      f.line,
      f.column,
      f.code,
    ]);
    expect(findings).toEqual([
      [2, 1, 'retention-not-set'],
      [3, 1, 'unknown-option'],
      [4, 15, 'not-allowed'],
      [5, 13, 'out-of-range'],
      [8, 12, 'invalid-value'],
    ]);
  });

  it('lints several files and globs, and fails on warnings only with --strict', async () => {
    const both = await runCli(['config', 'lint', `${FIXTURES}config/*.conf`, warningsOnly, ...v245, '--json']);
    expect(envelope(both).result.files.map((f: { path: string }) => f.path.replace(/.*\//, ''))).toEqual([
      'clean.conf',
      'errors.conf',
      'warnings-only.conf',
    ]);
    expect((await runCli(['config', 'lint', warningsOnly, ...v245])).exitCode).toBe(0);
    expect((await runCli(['config', 'lint', warningsOnly, ...v245, '--strict'])).exitCode).toBe(1);
  });

  it('writes SARIF 2.1.0 for code scanning', async () => {
    const run = await runCli(['config', 'lint', `${FIXTURES}config/errors.conf`, ...v245, '--sarif']);
    expect(run.exitCode).toBe(1);
    const sarif = JSON.parse(run.stdout);
    expect(sarif.version).toBe('2.1.0');
    const results = sarif.runs[0].results;
    expect(results).toHaveLength(5);
    expect(results[1]).toMatchObject({
      ruleId: 'unknown-option',
      level: 'error',
      locations: [{ physicalLocation: { region: { startLine: 3, startColumn: 1 } } }],
    });
    expect(results[1].locations[0].physicalLocation.artifactLocation.uri).toMatch(/errors\.conf$/);
    expect(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toContain('unknown-option');
    expect((await runCli(['config', 'lint', warningsOnly, ...v245, '--sarif', '--json'])).exitCode).toBe(2);
  });

  it('flags a secret in a file others can read without printing it', async () => {
    const secret = 'a-real-looking-passphrase-31337';
    const path = join(dir, 'secret.conf');
    writeFileSync(
      path,
      `[global]\nrepo1-path=/var/lib/pgbackrest\nrepo1-retention-full=2\nrepo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=${secret}\n\n[main]\npg1-path=/srv/pg\n`,
    );
    chmodSync(path, 0o644);
    const run = await runCli(['config', 'lint', path, ...v245, '--json']);
    const findings = envelope(run).result.files[0].findings;
    expect(findings.map((f: { line: number; code: string }) => [f.line, f.code])).toEqual([[5, 'secret-readable']]);
    expect(run.stdout + run.stderr).not.toContain(secret);
    chmodSync(path, 0o600);
    expect((await runCli(['config', 'lint', path, ...v245])).stdout).toMatch(/^clean/);
  });

  it('counts secrets from the environment only with --env', async () => {
    const path = join(dir, 'cipher.conf');
    writeFileSync(
      path,
      '[global]\nrepo1-path=/r\nrepo1-retention-full=2\nrepo1-cipher-type=aes-256-cbc\n\n[main]\npg1-path=/srv/pg\n',
    );
    chmodSync(path, 0o600);
    expect((await runCli(['config', 'lint', path, ...v245])).exitCode).toBe(0);
    expect((await runCli(['config', 'lint', path, ...v245, '--env'])).exitCode).toBe(1);
    const given = await runCli(['config', 'lint', path, ...v245, '--env'], {
      env: { PGBACKREST_REPO1_CIPHER_PASS: 'x' },
    });
    expect(given.exitCode).toBe(0);
  });

  it('lints against the release asked for', async () => {
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

  it('reports unreadable input as a usage error (exit 2) and an unreachable pgBackRest as exit 3', async () => {
    const missing = await runCli(['config', 'lint', '/nonexistent/pgbackrest.conf', ...v245]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const glob = await runCli(['config', 'lint', `${dir}/*.none`, ...v245]);
    expect(glob.exitCode).toBe(2);
    expect(glob.stderr).toContain('no file matches');
    const detect = await runCli(['--bin', '/nonexistent/pgbackrest', 'config', 'lint', warningsOnly]);
    expect(detect.exitCode).toBe(3);
    expect(detect.stderr).toContain('--pgbackrest-version');
  });
});
