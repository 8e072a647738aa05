import { integrationGate, probePgBackRest } from '@chronos/pgbackrest/testing';
import { describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

const skip = await integrationGate(await probePgBackRest());

describe.skipIf(skip)(skip ?? 'chronos demo (end to end)', () => {
  it('backs up to every repository, verifies S3, and proves a point-in-time restore', async () => {
    const secretProbe = 'PGBACKREST_REPO1_CIPHER_PASS';
    const run = await runCli(['demo', '--engine', 'native', '--json'], { timeout: 280_000 });
    expect(run.exitCode, run.stderr.slice(-2_000)).toBe(0);
    const { result } = envelope(run);
    expect(result.engine).toBe('native');
    expect(result.backups.full).toHaveLength(2);
    expect(result.backups.diff).toHaveLength(2);
    for (const label of result.backups.diff) expect(label).toMatch(/^\d{8}-\d{6}F_\d{8}-\d{6}D$/);
    expect(result.s3Verify.outcome).toBe('ok');
    expect(result.drill).toMatchObject({ proven: true, rowsAfter: 0 });
    expect(result.drill.rowsBefore).toBe(result.drill.expectedBefore);
    expect(result.status.latest.full).not.toBeNull();
    // The throwaway passphrase travels only through the environment and never reaches the output.
    expect(run.stderr).toContain(`${secretProbe}=<redacted>`);
    expect(run.stdout + run.stderr).not.toMatch(/CIPHER_PASS=(?!<redacted>)\S/);
  });
});
