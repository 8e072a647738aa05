import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRATCH_REMOVE_SCRIPT } from '../../../src/drill/scratch.js';
import { runProcess } from '../../../src/exec/process.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the process still runs a second later (a killed child may stay a zombie until Node reaps it). */
async function stillAlive(pid: number): Promise<boolean> {
  for (let i = 0; i < 20 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return alive(pid);
}

/**
 * A detached writer outside our process group naming a path inside the scratch directory on its command line, like
 * the pgBackRest processes (`--pg1-path=<scratch>/pgdata`) that can outlive a killed restore.
 */
function startWriter(scratch: string): number {
  const script = 'while :; do : > "$1/f$(date +%s%N)"; sleep 0.01; done';
  const child = spawn('sh', ['-c', script, 'writer', join(scratch, 'pgdata')], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid as number;
}

describe('removing a drill scratch directory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'chronos-scratch-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stops processes still writing into it and removes the whole directory', async () => {
    const scratch = join(root, 'drill');
    await mkdir(join(scratch, 'pgdata'), { recursive: true });
    const writer = startWriter(scratch);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await readdir(join(scratch, 'pgdata'))).length).toBeGreaterThan(0);

    const removed = await runProcess({ file: 'sh', args: ['-c', SCRATCH_REMOVE_SCRIPT, 'sh', scratch, '1'] });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(existsSync(scratch)).toBe(false);
    expect(await stillAlive(writer)).toBe(false);
  });

  it('leaves alone the process that named the scratch directory itself (a CLI given --scratch <dir>/)', async () => {
    const scratch = join(root, 'named');
    await mkdir(join(scratch, 'pgdata'), { recursive: true });
    const caller = spawn('sh', ['-c', 'sleep 30', 'chronos', '--scratch', `${scratch}/`], {
      detached: true,
      stdio: 'ignore',
    });
    caller.unref();
    try {
      const removed = await runProcess({ file: 'sh', args: ['-c', SCRATCH_REMOVE_SCRIPT, 'sh', scratch, '1'] });
      expect(removed.exitCode, removed.stderr).toBe(0);
      expect(existsSync(scratch)).toBe(false);
      expect(await stillAlive(caller.pid as number)).toBe(true);
    } finally {
      process.kill(-(caller.pid as number), 'SIGKILL');
    }
  });

  it('empties a directory the user made, keeps it, and leaves processes on other paths alone', async () => {
    const scratch = join(root, 'own');
    const neighbour = join(root, 'own-neighbour');
    await mkdir(join(scratch, 'pgdata'), { recursive: true });
    await mkdir(join(neighbour, 'pgdata'), { recursive: true });
    const writer = startWriter(scratch);
    const bystander = startWriter(neighbour);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const removed = await runProcess({ file: 'sh', args: ['-c', SCRATCH_REMOVE_SCRIPT, 'sh', scratch, '0'] });
      expect(removed.exitCode, removed.stderr).toBe(0);
      expect(await readdir(scratch)).toEqual([]);
      expect(await stillAlive(writer)).toBe(false);
      expect(await stillAlive(bystander)).toBe(true);
    } finally {
      process.kill(-bystander, 'SIGKILL');
    }
  });
});
