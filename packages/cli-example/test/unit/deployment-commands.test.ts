import { describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

describe('chronos stanza delete, restore --docker-volume, doctor: refusals before anything runs', () => {
  it('stanza delete without --force refuses with exit 2 and says what it would lose', async () => {
    const run = await runCli(['--stanza', 'chronos', 'stanza', 'delete']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('removes every backup and archived WAL');
    expect(run.stderr).toContain('pass --force');
  });

  it('restore --docker-volume needs --image', async () => {
    const noImage = await runCli(['--stanza', 'chronos', 'restore', '--docker-volume', 'timescale-data', '--yes']);
    expect(noImage.exitCode).toBe(2);
    expect(noImage.stderr).toContain('--docker-volume needs --image');
  });

  it('doctor exits 3 with the fix when pgBackRest cannot be reached', async () => {
    const run = await runCli(['--stanza', 'chronos', '--bin', '/nonexistent/pgbackrest', 'doctor', '--json']);
    expect(run.exitCode).toBe(3);
    const result = envelope(run).result;
    expect(result.verdict).toBe('unreachable');
    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]).toMatchObject({ id: 'pgbackrest', status: 'fail' });
    expect(result.checks[0].fix).toContain('Install pgBackRest');
  });

  it('backup --repo takes a repository number, and doctor --policy a valid policy, before anything runs', async () => {
    const repo = await runCli(['--stanza', 'chronos', '--bin', '/nonexistent/pgbackrest', 'backup', '--repo', 'two']);
    expect(repo.exitCode).toBe(2);
    expect(repo.stderr).toContain('--repo must be a repository number from 1 to 256, got "two"');
    const policy = await runCli([
      '--stanza',
      'chronos',
      '--bin',
      '/nonexistent/pgbackrest',
      'doctor',
      '--policy',
      '/nonexistent/policy.json',
    ]);
    expect(policy.exitCode).toBe(2);
    expect(policy.stderr).toContain('/nonexistent/policy.json');
  });
});
