import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationGate, probeNativeStack, probePgBackRest, runProcess } from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/run-cli.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());

/** Runs `chronos demo` (native engine), sends SIGINT `times` times once `step` begins; resolves at exit. */
function interruptDemo(scratch: string, step: string, times: number) {
  return new Promise<{ code: number | null; stderr: string; afterSignalMs: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'demo', '--engine', 'native'], {
      env: { ...process.env, FORCE_COLOR: '0', TMPDIR: scratch },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let signalledAt = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (signalledAt === 0 && stderr.includes(`→ ${step}`)) {
        signalledAt = Date.now();
        for (let i = 0; i < times; i++) setTimeout(() => child.kill('SIGINT'), i * 100);
      }
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, afterSignalMs: Date.now() - signalledAt });
    });
  });
}

describe.skipIf(skip)(skip ?? 'chronos demo stops on Ctrl-C and leaves nothing behind', () => {
  let scratch: string;
  const leftovers = async () => ({
    files: await readdir(scratch),
    processes: (await runProcess({ file: 'pgrep', args: ['-f', '-a', scratch] })).stdout.trim(),
  });

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'chronos-demo-interrupt-'));
    await chmod(scratch, 0o755);
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it.each([
    ['start PostgreSQL', 1],
    // The second Ctrl-C lands while PostgreSQL is being stopped.
    ['stanza-create', 2],
    ['full backup', 1],
  ] as const)('Ctrl-C at "%s" (%i times): exit 3, no PostgreSQL, no directory', async (step, times) => {
    const run = await interruptDemo(scratch, step, times);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('interrupted');
    // Stopping PostgreSQL and removing its directory is part of it; the abort itself is immediate.
    expect(run.afterSignalMs).toBeLessThan(15_000);
    expect(await leftovers()).toEqual({ files: [], processes: '' });
  });
});
