import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/exec/process.js';
import { integrationGate, probeNativeStack, probePgBackRest } from '../../src/testing/index.js';

// The scenario runs as its own process under `strace -f`, which records the execve of every program it
// and its descendants start (the client's pgbackrest runs, PostgreSQL, the archive-push runs PostgreSQL
// starts): no process is too short-lived to be seen, and nothing else runs under it.
const strace = await runProcess({ file: 'strace', args: ['-V'] });
const skip = await integrationGate(await probePgBackRest(), await probeNativeStack(), {
  available: strace.exitCode === 0,
  reason: 'no strace (apt-get install -y strace; scripts/stack/prepare.sh installs it)',
});
const cipherPass = `leak-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
const packageDir = fileURLToPath(new URL('../../', import.meta.url));

describe.skipIf(skip)(skip ?? 'no secret in the argv of any process, however short-lived', () => {
  let dir: string;
  let bundleDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-secret-leaks-'));
    await chmod(dir, 0o755);
    // Bundled from the current source, inside the package so its dependencies resolve.
    bundleDir = join(packageDir, 'node_modules', '.cache', `secret-scenario-${process.pid}`);
    await mkdir(bundleDir, { recursive: true });
    await build({
      entryPoints: [fileURLToPath(new URL('./support/secret-scenario.ts', import.meta.url))],
      outfile: join(bundleDir, 'scenario.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      conditions: ['@chronos/source'],
      logLevel: 'error',
    });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  });

  it('stanza-create, a backup, WAL archiving, check, info and repo-get on an encrypted S3 repository', async () => {
    const trace = join(dir, 'execve.log');
    const run = await runProcess({
      file: 'strace',
      args: [
        '-f',
        '--seccomp-bpf',
        '-qq',
        '-e',
        'trace=execve',
        '-s',
        '65536',
        '-o',
        trace,
        process.execPath,
        join(bundleDir, 'scenario.mjs'),
      ],
      env: { CHRONOS_LEAK_SECRET: cipherPass, TMPDIR: dir },
      cwd: dir,
      timeout: 280_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      cipher: 'aes-256-cbc',
      backups: 1,
      logLines: expect.any(Number),
      withSecret: 0,
    });

    const execs = (await readFile(trace, 'utf8')).split('\n').filter((line) => line.includes('execve('));
    const pgbackrest = execs.filter((line) => /execve\("[^"]*pgbackrest"/.test(line));
    // The short-lived ones are there: the archive-push runs PostgreSQL started, and the client's own runs.
    expect(pgbackrest.some((line) => line.includes('"archive-push"'))).toBe(true);
    for (const command of ['stanza-create', 'backup', 'check', 'info', 'repo-get']) {
      expect(pgbackrest.some((line) => line.includes(`"${command}"`))).toBe(true);
    }
    expect(execs.filter((line) => line.includes(cipherPass))).toEqual([]);
  });
});
