import { spawn } from 'node:child_process';
import { type S3Endpoint, startS3Endpoint } from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/run-cli.js';

describe('chronos verify-s3 on an endpoint that stopped answering', () => {
  let s3: S3Endpoint;

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'interrupt' });
    s3.pause();
  });
  afterAll(async () => {
    s3?.resume();
    await s3?.stop();
  });

  it('stops within a second of Ctrl-C (exit 3)', async () => {
    const child = spawn(
      process.execPath,
      [CLI, '--stanza', 'main', 'verify-s3', '--bucket', s3.bucket, '--region', s3.region, '--endpoint', s3.url],
      {
        env: {
          ...process.env,
          FORCE_COLOR: '0',
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
          NODE_TLS_REJECT_UNAUTHORIZED: '0',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let closedAt: number | undefined;
    const closed = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        closedAt = Date.now();
        resolve(code);
      }),
    );
    // Long enough for the CLI to load and send its first request into the paused endpoint.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(closedAt, `verify-s3 ended before it could be interrupted: ${stderr}`).toBeUndefined();
    const interrupted = Date.now();
    child.kill('SIGINT');
    const code = await closed;
    expect(closedAt! - interrupted).toBeLessThan(1_000);
    expect(code, stderr).toBe(3);
  });
});
