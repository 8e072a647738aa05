import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/exec/process.js';
import {
  integrationGate,
  probeDocker,
  probeImage,
  probeNativeStack,
  probePgBackRest,
  type StartStep,
  startContainerStack,
  startNativeStack,
  startS3Endpoint,
} from '../../src/testing/index.js';

const image = 'chronos-pg:15-2.45';
const nativeSkip = await integrationGate(await probePgBackRest(), await probeNativeStack());
const docker = await probeDocker();
const containerSkip = await integrationGate(docker, ...(docker.available ? [await probeImage(image)] : []));

class Forced extends Error {}
const failAt = (target: StartStep) => (step: StartStep) => {
  if (step === target) throw new Forced(`forced failure at ${step}`);
};
const stackSteps: StartStep[] = [
  'directories',
  'initdb',
  'configure',
  'start PostgreSQL',
  'readiness',
  'pgbackrest version',
];

let scratch: string;
const savedTmpdir = process.env['TMPDIR'];
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'chronos-start-cleanup-'));
  await chmod(scratch, 0o755);
  process.env['TMPDIR'] = scratch;
});
afterAll(async () => {
  if (savedTmpdir === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmpdir;
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(async () => {
  expect(await leftovers()).toEqual([]);
});

// testcontainers keeps its own lock file in the temporary folder.
const leftovers = async () => (await readdir(scratch)).filter((name) => !name.startsWith('testcontainers-node-'));
const processesUnder = async (path: string) =>
  (await runProcess({ file: 'pgrep', args: ['-f', '-a', path] })).stdout.trim();
const containersNamed = async (prefix: string) =>
  (await runProcess({ file: 'docker', args: ['ps', '-a', '-q', '--filter', `name=${prefix}`] })).stdout.trim();
const listeners = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('startS3Endpoint', () => {
  it.each(['directories', 'certificate', 's3rver', 'relay'] as const)(
    'a failure at %s leaves no folder and no listening server',
    async (step) => {
      const before = listeners();
      await expect(startS3Endpoint({ onStep: failAt(step) })).rejects.toBeInstanceOf(Forced);
      expect(await leftovers()).toEqual([]);
      expect(listeners()).toBe(before);
    },
  );

  it('stop() runs once, and a second caller returns only when the first cleanup is done', async () => {
    const before = listeners();
    const s3 = await startS3Endpoint();
    const first = s3.stop();
    await s3.stop();
    expect(await leftovers()).toEqual([]);
    expect(listeners()).toBe(before);
    await first;
    await s3.stop();
  });
});

describe.skipIf(nativeSkip)(nativeSkip ?? 'startNativeStack', () => {
  it.each(stackSteps)('a failure at %s leaves no PostgreSQL and no directory', async (step) => {
    await expect(startNativeStack({ repos: [{ type: 'posix' }], onStep: failAt(step) })).rejects.toBeInstanceOf(Forced);
    expect(await processesUnder(scratch)).toBe('');
    expect(await leftovers()).toEqual([]);
  });

  it('stop() from two callers at once: both return after PostgreSQL stopped and the directory is gone', async () => {
    const stack = await startNativeStack({ repos: [{ type: 'posix' }] });
    expect(await processesUnder(scratch)).not.toBe('');
    const first = stack.stop();
    await stack.stop();
    expect(await processesUnder(scratch)).toBe('');
    expect(await leftovers()).toEqual([]);
    await first;
  });
});

describe.skipIf(containerSkip)(containerSkip ?? 'startContainerStack', () => {
  // The steps after 'prepare container' are the native stack's code; 'readiness' is the one with PostgreSQL running.
  it.each(['container', 'prepare container', 'readiness'] as StartStep[])(
    'a failure at %s leaves no container and no directory',
    async (step) => {
      const stanza = `cleanup-${Math.random().toString(36).slice(2, 8)}`;
      await expect(
        startContainerStack({ image, stanza, repos: [{ type: 'posix' }], onStep: failAt(step) }),
      ).rejects.toBeInstanceOf(Forced);
      expect(await containersNamed(`chronos-${stanza}-`)).toBe('');
      expect(await leftovers()).toEqual([]);
    },
  );
});
