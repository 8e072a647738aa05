import {
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  startNativeStack,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

const skip = await integrationGate(await probePgBackRest());

describe.skipIf(skip)(skip ?? 'chronos against a real PostgreSQL 15 + pgBackRest (posix repository)', () => {
  let stack: PgBackRestStack;
  let globals: string[];

  beforeAll(async () => {
    stack = await startNativeStack({ repos: [{ type: 'posix' }], options: { 'start-fast': 'y' } });
    globals = ['--stanza', stack.stanza, '--config', stack.configPath, '--user', stack.transport.user];
    const created = await runCli([...globals, 'check']);
    expect(created.exitCode).toBe(1);
    expect(created.stdout).toContain('check failed');
    const { exitCode } = await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']);
    expect(exitCode).toBe(0);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('runs full and diff backups and reports their labels', async () => {
    const full = await runCli([...globals, 'backup', '--type', 'full', '--json'], { timeout: 240_000 });
    expect(full.exitCode, full.stderr).toBe(0);
    expect(envelope(full).result.label).toMatch(/^\d{8}-\d{6}F$/);
    expect(full.stderr).toMatch(/backup full: running, \d+s elapsed|^$/m);
    await writeRows(stack, 5_000);
    const diff = await runCli([...globals, 'backup', '--type', 'diff', '--json'], { timeout: 240_000 });
    expect(diff.exitCode, diff.stderr).toBe(0);
    expect(envelope(diff).result.label).toMatch(new RegExp(`^${envelope(full).result.label}_\\d{8}-\\d{6}D$`));
  });

  it('shows both backups in info and status', async () => {
    const info = await runCli([...globals, 'info', '--json']);
    expect(info.exitCode).toBe(0);
    const types = envelope(info).result[0].backup.map((b: { type: string }) => b.type);
    expect(types).toEqual(['full', 'diff']);
    const status = await runCli([...globals, 'status']);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/full\s+\d{8}-\d{6}F\s+1/);
    expect(status.stdout).toContain('recovery window:');
  });

  it('shows one backup set in detail with --set', async () => {
    const all = envelope(await runCli([...globals, 'info', '--json'])).result[0].backup;
    const run = await runCli([...globals, 'info', '--set', all[0].label, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const [backup] = envelope(run).result[0].backup;
    expect(backup.label).toBe(all[0].label);
    expect(backup['database-ref'].map((d: { name: string }) => d.name)).toContain('postgres');
  });

  it('passes check once the stanza exists', async () => {
    const run = await runCli([...globals, 'check', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(envelope(run).result).toEqual({ ok: true });
  });

  it("parses pgBackRest's verify verdict", async () => {
    const run = await runCli([...globals, 'verify', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(envelope(run).result).toMatchObject({ ok: true, status: 'ok' });
  });

  it("puts the retention simulation next to pgBackRest's own dry run, and they agree", async () => {
    const run = await runCli([
      ...globals,
      'expire',
      '--dry-run',
      '--retention-full',
      '1',
      '--retention-diff',
      '1',
      '--json',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const { result } = envelope(run);
    expect(result.agree).toBe(true);
    const [repo] = result.repositories;
    expect(repo.pgbackrest).toEqual(repo.simulation.expiredLabels);
    const still = await runCli([...globals, 'info', '--json']);
    expect(envelope(still).result[0].backup).toHaveLength(2);
  });

  it('prints the exact restore command for a dry run, checked against the recovery window', async () => {
    const status = envelope(await runCli([...globals, 'status', '--json'])).result.stanzas[0];
    const target = new Date(Date.parse(status.recoveryWindow.latestBackupStop) + 1_000).toISOString();
    const run = await runCli([
      ...globals,
      'restore',
      '--time',
      target,
      '--pg-path',
      '/tmp/chronos-never-created',
      '--archive-mode',
      'off',
      '--dry-run',
      '--json',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const { result } = envelope(run);
    expect(result.ran).toBe(false);
    expect(result.command).toContain('--type=time');
    expect(result.command).toContain('--pg1-path=/tmp/chronos-never-created');
    expect(result.command).toContain('--archive-mode=off');
    expect(result.plan.set).toBe(status.latest.diff.label);
  });

  it('refuses a restore target before the recovery window (exit 1)', async () => {
    const run = await runCli([...globals, 'restore', '--time', '2001-01-01T00:00:00Z', '--dry-run']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr + run.stdout).toMatch(/recovery window|before/i);
  });

  it('refuses to restore without a terminal and without --yes', async () => {
    const run = await runCli([...globals, 'restore', '--immediate', '--pg-path', '/tmp/chronos-never-created']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--yes');
  });

  it('reports an unreachable repository as a finding in status (exit 1), without its secret', async () => {
    const run = await runCli([...globals, 'status', '--json'], {
      env: {
        PGBACKREST_REPO1_TYPE: 's3',
        PGBACKREST_REPO1_S3_BUCKET: 'unreachable',
        PGBACKREST_REPO1_S3_ENDPOINT: '127.0.0.1',
        PGBACKREST_REPO1_S3_REGION: 'ca-central-1',
        PGBACKREST_REPO1_STORAGE_PORT: '1',
        PGBACKREST_REPO1_S3_URI_STYLE: 'path',
        PGBACKREST_REPO1_S3_KEY: 'unreachable-key',
        PGBACKREST_REPO1_S3_KEY_SECRET: 'unreachable-secret-value',
        PGBACKREST_IO_TIMEOUT: '2',
      },
      timeout: 120_000,
    });
    expect(run.exitCode, run.stderr).toBe(1);
    const [stanza] = envelope(run).result.stanzas;
    expect(stanza.status.ok).toBe(false);
    expect(run.stdout + run.stderr).not.toContain('unreachable-secret-value');
  });

  it('reports a missing pgBackRest binary as could-not-run (exit 3)', async () => {
    const run = await runCli([...globals, '--bin', '/nonexistent/pgbackrest', 'info']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('needs a stanza for live commands (exit 2)', async () => {
    const run = await runCli(['status'], { env: { CHRONOS_STANZA: '' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--stanza');
  });
});
