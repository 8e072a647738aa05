import { readdir, readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import type { ProcessResult } from '../../src/exec/process.js';
import { ensureSuccess, type PgBackRestStack } from '../../src/testing/index.js';

/** Runs `pgbackrest --stanza=<stanza> <command> [args]` inside the stack. */
export function pgbackrest(stack: PgBackRestStack, command: string, ...args: string[]): Promise<ProcessResult> {
  return stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args, command], { timeout: 240_000 });
}

/** Reads `info --output=json` and asserts one encrypted full backup in a healthy stanza. */
export async function expectEncryptedFullBackup(
  stack: PgBackRestStack,
  cipherPass: string,
  ...infoArgs: string[]
): Promise<void> {
  const info = ensureSuccess('info', await pgbackrest(stack, 'info', '--output=json', ...infoArgs));
  expect(info.stdout).not.toContain(cipherPass);
  const stanzas = JSON.parse(info.stdout) as Array<{
    name: string;
    cipher: string;
    status: { code: number; message: string };
    backup: Array<{ type: string; error?: boolean; database: { 'repo-key': number } }>;
    db: Array<{ version: string }>;
  }>;
  expect(stanzas).toHaveLength(1);
  const [stanza] = stanzas;
  expect(stanza?.name).toBe(stack.stanza);
  expect(stanza?.status).toMatchObject({ code: 0, message: 'ok' });
  expect(stanza?.cipher).toBe('aes-256-cbc');
  expect(stanza?.backup.map((b) => b.type)).toEqual(['full']);
  expect(stanza?.backup[0]?.error ?? false).toBe(false);
  expect(stanza?.db.map((d) => d.version)).toEqual([String(stack.pgMajor)]);
}

/**
 * Samples the command line of every process on the host (container processes included) until
 * `work` settles, and returns the pids whose argv contained `secret`.
 */
export async function argvLeaks<T>(secret: string, work: Promise<T>): Promise<{ result: T; leaks: string[] }> {
  const leaks = new Set<string>();
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  let samples = 0;
  while (!done || samples === 0) {
    samples++;
    for (const pid of await readdir('/proc').catch(() => [])) {
      if (!/^\d+$/.test(pid)) continue;
      const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (argv.includes(secret)) leaks.add(`${pid}: ${argv.replaceAll('\0', ' ').replace(secret, '<secret>')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { result: await settled, leaks: [...leaks] };
}
