import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const credentials = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret-key-4c1d' };

describe('chronos verify-s3', () => {
  it('reports an unreachable repository with exit code 3 and no secret', async () => {
    const port = await closedPort();
    const run = await runCli(
      ['verify-s3', '--bucket', 'backups', '--region', 'ca-central-1', '--endpoint', `https://127.0.0.1:${port}`],
      { env: credentials },
    );
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toContain('COULD NOT VERIFY');
    expect(run.stdout).toContain('unreachable');
    expect(run.stdout + run.stderr).not.toContain(credentials.AWS_SECRET_ACCESS_KEY);
    expect(run.stderr).not.toContain('Warning');
  });

  it('puts the report with its access failure in the JSON envelope', async () => {
    const port = await closedPort();
    const run = await runCli(
      [
        'verify-s3',
        '--bucket',
        'backups',
        '--region',
        'ca-central-1',
        '--endpoint',
        `https://127.0.0.1:${port}`,
        '--json',
      ],
      { env: credentials },
    );
    expect(run.exitCode).toBe(3);
    const doc = envelope(run);
    expect(doc.exitCode).toBe(3);
    expect(doc.result).toMatchObject({ outcome: 'unverified', access: { ok: false, code: 'unreachable' } });
  });

  it('requires --bucket and --region (exit code 2)', async () => {
    const run = await runCli(['verify-s3', '--region', 'ca-central-1']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("required option '--bucket <name>' not specified");
  });

  it('rejects an endpoint that is not a URL (exit code 2)', async () => {
    const run = await runCli(['verify-s3', '--bucket', 'b', '--region', 'r', '--endpoint', '127.0.0.1:9000']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--endpoint must be a URL');
  });
});
