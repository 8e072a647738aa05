import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, FIXTURES, runCli } from '../helpers/run-cli.js';

// Real pgBackRest 2.60.0 output, recorded by scripts/record-fixtures.mjs for the core package.
const PROGRESS = fileURLToPath(
  new URL('../../../core/test/fixtures/recorded/2.60.0/info-progress-backup.json', import.meta.url),
);
const IDLE = fileURLToPath(new URL('../../../core/test/fixtures/recorded/2.60.0/info-progress.json', import.meta.url));
const FULL = `${FIXTURES}info-2.45-s3-encrypted-plus-posix.json`;
const lock = JSON.parse(readFileSync(PROGRESS, 'utf8'))[0].status.lock.backup;
const notInfo = join(tmpdir(), `chronos-not-info-${process.pid}.json`);
writeFileSync(notInfo, '{"repo1":{"type":"path"}}');
afterAll(() => rmSync(notInfo, { force: true }));

describe('chronos info --from-file with info --detail-level=progress output', () => {
  it('prints the stanza, its status and the running backup with bytes done per repository', async () => {
    const run = await runCli(['info', '--from-file', PROGRESS]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/stanza demo\s+status ok\s+\(progress only\)/);
    expect(run.stdout).toMatch(/backup running: \S+ \S+ of \S+ \S+/);
    expect(run.stdout).toMatch(/repo1: \S+ \S+ of \S+ \S+/);
    expect(run.stdout).toContain('restore not running');
  });

  it('emits the document itself as the JSON result', async () => {
    const run = await runCli(['info', '--from-file', IDLE, '--json']);
    expect(run.exitCode).toBe(0);
    expect(envelope(run).result).toEqual(JSON.parse(readFileSync(IDLE, 'utf8')));
  });

  it('names what info output looks like for valid JSON that is none', async () => {
    const run = await runCli(['info', '--from-file', notInfo, '--json']);
    expect(run.exitCode).toBe(2);
    expect(envelope(run).error.message).toContain(
      'expected an array of stanza objects with name and status, got an object with repo1',
    );
  });
});

describe('chronos status with progress-mode info', () => {
  it('reports detailLevel progress and the running backup from the recording', async () => {
    const run = await runCli(['status', '--from-file', PROGRESS, '--json']);
    expect(run.exitCode).toBe(0);
    const { result } = envelope(run);
    expect(result.detailLevel).toBe('progress');
    expect(result.stanzas).toEqual([
      {
        name: 'demo',
        status: { code: 0, message: 'ok', ok: true },
        backup: {
          running: true,
          totalBytes: lock.size,
          completedBytes: lock['size-cplt'],
          fraction: lock['size-cplt'] / lock.size,
        },
        restore: { running: false, totalBytes: null, completedBytes: null, fraction: null },
      },
    ]);
  });

  it('says so for people', async () => {
    const run = await runCli(['status', '--from-file', IDLE]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('no backup or restore running');
  });

  it('reports detailLevel full for full info', async () => {
    const run = await runCli(['status', '--from-file', FULL, '--json']);
    expect(envelope(run).result.detailLevel).toBe('full');
  });
});

describe('commands that need full info', () => {
  it('do not call progress output invalid: they say which info they need', async () => {
    const run = await runCli(['metrics', '--from-file', PROGRESS]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('holds the output of `pgbackrest info --detail-level=progress`');
    expect(run.stderr).toContain('needs full info');
    expect(run.stderr).not.toMatch(/invalid/i);
  });
});
