import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  type S3Endpoint,
  startContainerStack,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '../../src/testing/index.js';
import { argvLeaks, expectEncryptedFullBackup, pgbackrest } from './smoke-steps.js';

const images = [
  { image: 'chronos-pg:15-2.45', pgMajor: 15, pgBackRest: '2.45' },
  { image: 'chronos-pg:17-2.55.1', pgMajor: 17, pgBackRest: '2.55.1' },
  { image: 'chronos-pg:18-2.60.0', pgMajor: 18, pgBackRest: '2.60.0' },
];
const docker = await probeDocker();

for (const { image, pgMajor, pgBackRest } of images) {
  const skip = await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker]));
  const cipherPass = `throwaway-${Math.random().toString(36).slice(2)}`;

  describe.skipIf(skip)(skip ?? `container stack ${image} against the S3 endpoint`, () => {
    let s3: S3Endpoint;
    let stack: PgBackRestStack;

    beforeAll(async () => {
      s3 = await startS3Endpoint({ bucket: `smoke-${pgMajor}` });
      stack = await startContainerStack({
        image,
        repos: [{ type: 's3', endpoint: s3, cipherPass, options: { bundle: 'y' } }, { type: 'posix' }],
      });
    }, 180_000);

    afterAll(async () => {
      await stack?.stop();
      await s3?.stop();
    });

    it('runs the image’s PostgreSQL and pgBackRest as postgres on loopback', async () => {
      expect(stack.kind).toBe('container');
      expect(stack.secretEnv()).toMatchObject({ PGBACKREST_REPO1_CIPHER_PASS: cipherPass });
      expect(JSON.stringify(stack)).not.toContain(cipherPass);
      expect(stack.pgMajor).toBe(pgMajor);
      expect(stack.pgBackRestVersion).toBe(pgBackRest);
      expect((await stack.psql('SELECT current_user')).trim()).toBe('postgres');
      const argv = await stack.exec('sh', ['-c', 'cat /proc/[0-9]*/cmdline | tr "\\0" " "']);
      expect(argv.stdout).not.toContain(cipherPass);
    });

    it('creates the stanza, checks archiving, backs up in full to the encrypted S3 repo and reads it back', async () => {
      ensureSuccess('stanza-create', await pgbackrest(stack, 'stanza-create'));
      await writeRows(stack, 2_000);
      ensureSuccess('check', await pgbackrest(stack, 'check'));
      await switchWal(stack);
      const backup = await argvLeaks(
        cipherPass,
        pgbackrest(stack, 'backup', '--repo=1', '--type=full', '--start-fast'),
      );
      ensureSuccess('backup', backup.result);
      expect(backup.leaks).toEqual([]);
      await expectEncryptedFullBackup(stack, cipherPass, '--repo=1');
      const posix = stack.repos.find((r) => r.type === 'posix');
      expect(posix?.hostPath).toBe(posix?.path);
      expect(await readdir(`${posix?.hostPath}/archive/${stack.stanza}`)).toContain('archive.info');
    }, 300_000);
  });
}
