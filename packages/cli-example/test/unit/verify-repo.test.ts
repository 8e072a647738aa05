import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

describe('chronos verify-repo', () => {
  it('reports a missing repository directory with exit code 3 and what to fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verify-repo-'));
    try {
      const run = await runCli(['verify-repo', '--path', join(dir, 'missing'), '--json']);
      expect(run.exitCode).toBe(3);
      const doc = envelope(run);
      expect(doc.result).toMatchObject({
        outcome: 'unverified',
        target: { storage: 'posix', path: join(dir, 'missing') },
        access: { ok: false, code: 'path-not-found' },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says an empty directory holds no stanza (exit 3)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'verify-repo-'));
    try {
      const run = await runCli(['verify-repo', '--path', dir]);
      expect(run.exitCode).toBe(3);
      expect(run.stdout).toContain(`COULD NOT VERIFY: ${dir}`);
      expect(run.stdout).toContain('stanza-not-found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes --stored-bytes only with --deep, and says so', async () => {
    const run = await runCli(['verify-repo', '--path', tmpdir(), '--stored-bytes', '--json']);
    expect(run.exitCode).toBe(2);
    expect(envelope(run).error.message).toMatch(/--stored-bytes .*give it with --deep/);
  });

  it('requires --path', async () => {
    const run = await runCli(['verify-repo']);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('--path');
  });
});
