import {
  DEFAULT_STACK_IMAGE,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

const image = process.env['CHRONOS_TEST_IMAGE'] ?? DEFAULT_STACK_IMAGE;
const skip = await integrationGate(await probeDocker(), await probeImage(image));

describe.skipIf(skip)(skip ?? `chronos --docker into ${image}`, () => {
  let stack: PgBackRestStack;
  let globals: string[];

  beforeAll(async () => {
    stack = await startContainerStack({ image, repos: [{ type: 'posix' }], options: { 'start-fast': 'y' } });
    if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
    globals = ['--stanza', stack.stanza, '--docker', stack.transport.containerName, '--user', stack.transport.user];
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('reports a stanza that does not exist yet, then runs a backup inside the container', async () => {
    const before = await runCli([...globals, 'status', '--json']);
    expect(before.exitCode).toBe(1);
    expect(envelope(before).result.stanzas[0].status.code).toBe(1);
    const { exitCode } = await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']);
    expect(exitCode).toBe(0);
    const backup = await runCli([...globals, 'backup', '--type', 'full', '--json'], { timeout: 240_000 });
    expect(backup.exitCode, backup.stderr).toBe(0);
    const label = envelope(backup).result.label;
    expect(envelope(backup).result.progressDetailLevel).toBe(stack.pgBackRestVersion === '2.45' ? 'full' : 'progress');
    const info = await runCli([...globals, 'info', '--json']);
    expect(envelope(info).result[0].backup.map((b: { label: string }) => b.label)).toEqual([label]);
    expect(envelope(info).result[0].backup[0].backrest.version).toBe(stack.pgBackRestVersion);
  });
});
