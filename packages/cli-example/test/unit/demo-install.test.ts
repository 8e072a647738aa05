import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationGate } from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

// The demo installs packages only as root; the PATH below holds a recording apt-get and no pgbackrest.
const skip = await integrationGate({
  available: process.getuid?.() === 0,
  reason: 'the demo offers to install packages only as root',
});

describe.skipIf(skip)(skip ?? 'chronos demo installs system packages only when asked', () => {
  let bin: string;
  const calls = () => readFile(join(bin, 'calls'), 'utf8').catch(() => '');

  beforeAll(async () => {
    bin = await mkdtemp(join(tmpdir(), 'chronos-fake-apt-'));
    await writeFile(join(bin, 'apt-get'), `#!/bin/sh\necho "$@" >> "${bin}/calls"\n`);
    await chmod(join(bin, 'apt-get'), 0o755);
  });
  afterAll(async () => {
    if (bin) await rm(bin, { recursive: true, force: true });
  });

  it('without --install-packages and without a terminal: says what it would install and installs nothing', async () => {
    const run = await runCli(['demo', '--engine', 'native'], { env: { PATH: bin } });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('the demo would run apt-get install pgbackrest');
    expect(run.stderr).toContain('--install-packages');
    expect(await calls()).toBe('');
  });

  it('with --install-packages: runs apt-get install for what is missing', async () => {
    const run = await runCli(['demo', '--engine', 'native', '--install-packages'], { env: { PATH: bin } });
    expect(run.stderr).toContain('installing pgbackrest with apt-get');
    expect(await calls()).toBe('install -y --no-install-recommends pgbackrest\n');
    expect(run.exitCode).toBe(3);
  });
});
