import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  type S3Endpoint,
  startNativeStack,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '../../src/testing/index.js';
import { argvLeaks, expectEncryptedFullBackup, pgbackrest } from './smoke-steps.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());
const cipherPass = `throwaway-${Math.random().toString(36).slice(2)}`;

describe.skipIf(skip)(skip ?? 'native stack: PostgreSQL 15 + local pgBackRest against the S3 endpoint', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'smoke-native' });
    stack = await startNativeStack({ repos: [{ type: 's3', endpoint: s3, cipherPass, options: { bundle: 'y' } }] });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it('runs as postgres on loopback with the local binaries', async () => {
    expect(stack.kind).toBe('native');
    expect(stack.secretEnv()).toMatchObject({ PGBACKREST_REPO1_CIPHER_PASS: cipherPass });
    expect(JSON.stringify(stack)).not.toContain(cipherPass);
    expect(stack.pgMajor).toBe(15);
    expect(stack.pgBackRestVersion).toMatch(/^2\.\d+/);
    expect((await stack.psql('SELECT current_user')).trim()).toBe('postgres');
    expect((await stack.psql("SELECT setting FROM pg_settings WHERE name = 'listen_addresses'")).trim()).toBe(
      '127.0.0.1',
    );
  });

  it('creates the stanza, checks archiving, backs up in full and reads the backup back', async () => {
    ensureSuccess('stanza-create', await pgbackrest(stack, 'stanza-create'));
    await writeRows(stack, 2_000);
    ensureSuccess('check', await pgbackrest(stack, 'check'));
    await switchWal(stack);
    const backup = await argvLeaks(cipherPass, pgbackrest(stack, 'backup', '--type=full', '--start-fast'));
    ensureSuccess('backup', backup.result);
    expect(backup.leaks).toEqual([]);
    await expectEncryptedFullBackup(stack, cipherPass);
  }, 300_000);
});
