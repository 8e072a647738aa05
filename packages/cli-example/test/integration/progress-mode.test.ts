import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

// info --detail-level=progress exists from pgBackRest 2.56; 2.45 (docker-transport.test.ts) covers the full-info path.
const image = 'chronos-pg:18-2.60.0';
const docker = await probeDocker();
const skip = await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker]));

describe.skipIf(skip)(skip ?? `chronos status --progress and backup through --docker into ${image}`, () => {
  let stack: PgBackRestStack;
  let globals: string[];

  beforeAll(async () => {
    stack = await startContainerStack({ image, repos: [{ type: 'posix' }], options: { 'start-fast': 'y' } });
    if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
    globals = ['--stanza', stack.stanza, '--docker', stack.transport.containerName, '--user', stack.transport.user];
    ensureSuccess('stanza-create', await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']));
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('status --progress reads progress-mode info and says so', async () => {
    const run = await runCli([...globals, 'status', '--progress', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const { result } = envelope(run);
    expect(result.detailLevel).toBe('progress');
    expect(result.stanzas).toEqual([
      {
        name: stack.stanza,
        status: { code: 0, message: 'ok', ok: true },
        backup: { running: false, totalBytes: null, completedBytes: null, fraction: null },
        restore: { running: false, totalBytes: null, completedBytes: null, fraction: null },
      },
    ]);
    const full = await runCli([...globals, 'status', '--json']);
    expect(envelope(full).result.detailLevel).toBe('full');
  });

  it('backup polls its progress in progress mode and reports the label', async () => {
    const run = await runCli([...globals, 'backup', '--type', 'full', '--json'], { timeout: 240_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const { result } = envelope(run);
    expect(result.progressDetailLevel).toBe('progress');
    const info = await runCli([...globals, 'info', '--json']);
    expect(envelope(info).result[0].backup.map((b: { label: string }) => b.label)).toEqual([result.label]);
  }, 300_000);
});
