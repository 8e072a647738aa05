import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  startNativeStack,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, envelope, runCli } from '../helpers/run-cli.js';

const skip = await integrationGate(await probePgBackRest());

describe.skipIf(skip)(skip ?? 'chronos verify-repo --deep on a posix repository written by pgBackRest 2.45', () => {
  let stack: PgBackRestStack;
  let repoDir: string;
  const pgbackrest = async (...args: string[]) =>
    ensureSuccess(
      `pgbackrest ${args.at(-1)}`,
      await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args], { timeout: 240_000 }),
    );

  beforeAll(async () => {
    stack = await startNativeStack({
      repos: [{ type: 'posix', options: { bundle: 'y' } }],
      options: { 'start-fast': 'y' },
    });
    repoDir = stack.repos[0]!.hostPath!;
    await pgbackrest('stanza-create');
    // Enough data that a deep run lasts a few seconds, so the Ctrl-C test interrupts it mid-run.
    await writeRows(stack, 2_000_000);
    await pgbackrest('--type=full', 'backup');
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const deepRun = (...flags: string[]) =>
    runCli(['--stanza', stack.stanza, 'verify-repo', '--path', repoDir, '--deep', ...flags]);

  it('reads every file and segment, exits 0 and proves the backup restorable', async () => {
    const run = await deepRun('--progress', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    // --progress: lines on stderr (stdout stays one JSON document), the last one at the end of the run.
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('deep: '));
    expect(lines.at(-1)).toMatch(/^deep: ([\d,]+)\/\1 objects, [\d.]+ \w+\/[\d.]+ \w+, [\d.]+ \w+\/s, ETA 0s$/);
    const { result } = envelope(run) as {
      result: {
        settings: { deep: boolean };
        stanzas: Array<{ deep: { files: number; segments: number }; backups: Array<{ restorable: boolean | null }> }>;
      };
    };
    expect(result.settings.deep).toBe(true);
    expect(result.stanzas[0]!.deep.files).toBeGreaterThan(100);
    expect(result.stanzas[0]!.deep.segments).toBeGreaterThan(0);
    expect(result.stanzas[0]!.backups.map((b) => b.restorable)).toEqual([true]);
  });

  it('with --stored-bytes proves the backup files by their stored bytes (decoding only the WAL), in JSON and in text', async () => {
    const run = await deepRun('--stored-bytes', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    const { result } = envelope(run) as {
      result: {
        settings: { deepProof: string | null };
        stanzas: Array<{ deep: { files: number; fileBytes: number; segments: number; notProven: unknown[] } }>;
      };
    };
    expect(result.settings.deepProof).toBe('stored');
    expect(result.stanzas[0]!.deep).toMatchObject({ fileBytes: 0, notProven: [expect.anything()] });
    expect(result.stanzas[0]!.deep.files).toBeGreaterThan(100);
    expect(result.stanzas[0]!.deep.segments).toBeGreaterThan(0);
    const text = await runCli(['verify-repo', '--path', repoDir, '--deep', '--stored-bytes']);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('proven by their stored bytes only');
  });

  it('stops within a second of Ctrl-C and says what it checked (exit 3)', async () => {
    const child = spawn(process.execPath, [CLI, 'verify-repo', '--path', repoDir, '--deep', '--json', '--progress'], {
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    // Interrupted once it has checked its first object (its first progress line), however fast the machine.
    let stderr = '';
    const checking = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/^deep: /m.test(stderr)) resolve();
      }),
    );
    let closedAt: number | undefined;
    const closed = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        closedAt = Date.now();
        resolve(code);
      }),
    );
    await Promise.race([checking, closed]);
    expect(closedAt, 'the deep run finished before it could be interrupted').toBeUndefined();
    const interrupted = Date.now();
    child.kill('SIGINT');
    const code = await closed;
    expect(closedAt! - interrupted).toBeLessThan(1_000);
    expect(code).toBe(3);
    const { result } = JSON.parse(stdout) as { result: { findings: Array<{ code: string; message: string }> } };
    expect(result.findings.find((f) => f.code === 'verification-aborted')?.message).toMatch(
      /were checked before it stopped/,
    );
  });

  it('exits 1 and names the bundle when it is gone', async () => {
    const info = JSON.parse((await pgbackrest('--output=json', 'info')).stdout) as Array<{
      backup: Array<{ label: string }>;
    }>;
    const bundle = join(repoDir, 'backup', stack.stanza, info[0]!.backup[0]!.label, 'bundle', '1');
    const bytes = await readFile(bundle);
    await rm(bundle);
    try {
      const run = await runCli(['verify-repo', '--path', repoDir, '--deep']);
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain('backup-file-missing');
      expect(run.stdout).toContain(`${info[0]!.backup[0]!.label}/bundle/1`);
      expect(run.stdout).toMatch(/cannot be restored/);
    } finally {
      await writeFile(bundle, bytes);
    }
  });
});
