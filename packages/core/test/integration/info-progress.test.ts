import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeProgress } from '../../src/analysis/index.js';
import { createPgBackRest, type PgBackRestClient } from '../../src/client/index.js';
import type { InfoProgress } from '../../src/info/index.js';
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

// info --detail-level=progress exists from 2.56: the 2.60.0 image is the release under test.
const image = 'chronos-pg:18-2.60.0';
const docker = await probeDocker();
const skip = await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker]));

describe.skipIf(skip)(skip ?? `info --detail-level=progress through the client on ${image}`, () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let client: PgBackRestClient;

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'progress' });
    stack = await startContainerStack({
      image,
      repos: [{ type: 's3', endpoint: s3, path: '/progress' }],
      options: { 'start-fast': 'y', 'compress-type': 'gz' },
    });
    if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
    client = createPgBackRest({
      stanza: stack.stanza,
      config: stack.configPath,
      transport: { kind: 'docker', container: stack.transport.containerName, user: stack.transport.user },
      timeout: 240_000,
    });
    ensureSuccess('stanza-create', await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']));
    await writeRows(stack, 100_000);
    await switchWal(stack);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it('reads the idle stanza: name and status only, no backup lock held', async () => {
    expect((await client.version()).version).toBe('2.60.0');
    const progress = await client.info({ detailLevel: 'progress' });
    expect(progress.map((s) => s.name)).toEqual([stack.stanza]);
    expect(progress[0]?.status).toMatchObject({ code: 0, lock: { backup: { held: false } } });
    for (const field of ['archive', 'backup', 'db', 'cipher']) expect(progress[0]).not.toHaveProperty(field);
  });

  it('follows a running backup: the lock is held with bytes done, then released', async () => {
    let running = true;
    const backup = client.backup({ type: 'full' }).finally(() => {
      running = false;
    });
    const seen: InfoProgress[] = [];
    while (running) seen.push(await client.info({ detailLevel: 'progress' }));
    await backup;
    const held = seen.map((p) => analyzeProgress(p).stanzas[0]?.backup).filter((b) => b?.running);
    expect(held.length, `${seen.length} polls while the backup ran`).toBeGreaterThan(0);
    const withBytes = held.filter((b) => b?.completedBytes !== undefined && b.totalBytes !== undefined);
    expect(withBytes.length).toBeGreaterThan(0);
    for (const b of withBytes) {
      expect(b?.completedBytes).toBeLessThanOrEqual(b?.totalBytes ?? 0);
      expect(b?.perRepo.map((r) => r.repoKey)).toEqual([1]);
    }
    const [after] = await client.info({ detailLevel: 'progress' });
    expect(after?.status.lock?.backup.held).toBe(false);
    const [full] = await client.info();
    expect(full?.backup.map((b) => b.type)).toEqual(['full']);
  }, 300_000);
});
