import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, FIXTURES, runCli } from '../helpers/run-cli.js';

const INFO = `${FIXTURES}info-2.45-s3-encrypted-plus-posix.json`;
const raw = readFileSync(INFO, 'utf8');
const systemId = /"system-id":(\d+)/.exec(raw)?.[1] as string;
const recorded = JSON.parse(raw) as Array<{
  name: string;
  backup: Array<{ label: string; type: string; timestamp: { stop: number }; database: { 'repo-key': number } }>;
}>;
const stanza = recorded[0]!;
const scratch = mkdtempSync(join(tmpdir(), 'chronos-info-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('chronos info --from-file', () => {
  it('prints every backup of the recorded repository as a table row', async () => {
    const run = await runCli(['info', '--from-file', INFO]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`stanza ${stanza.name}`);
    for (const backup of stanza.backup) {
      const row = run.stdout.split('\n').find((line) => line.trim().startsWith(`${backup.label} `));
      expect(row, backup.label).toBeDefined();
      expect(row).toContain(backup.type);
      expect(row).toContain(new Date(backup.timestamp.stop * 1000).toISOString().replace('.000Z', 'Z'));
    }
    expect(run.stdout).not.toMatch(/\u001b\[/);
  });

  it('colours output only when forced (not a TTY here)', async () => {
    const run = await runCli(['info', '--from-file', INFO], { env: { FORCE_COLOR: '1' } });
    expect(run.stdout).toMatch(/\u001b\[1mstanza /);
  });

  it('emits the parsed document in the JSON envelope with the exact 64-bit system id', async () => {
    const run = await runCli(['info', '--from-file', INFO, '--json']);
    expect(run.exitCode).toBe(0);
    const doc = envelope(run);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'info', exitCode: 0 });
    expect(doc.result[0].db[0]['system-id']).toBe(systemId);
    expect(doc.result[0].backup.map((b: { label: string }) => b.label)).toEqual(stanza.backup.map((b) => b.label));
  });

  it('rejects malformed info JSON with exit code 2 naming the JSON path', async () => {
    const bad = join(scratch, 'bad-info.json');
    writeFileSync(bad, raw.replace('"type":"full"', '"type":"weekly"'));
    const run = await runCli(['info', '--from-file', bad]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^chronos info: UsageError: .*\[0\]\.backup\[\d+\]\.type/);
  });

  it('rejects a file that is not JSON at all', async () => {
    const bad = join(scratch, 'not-json.json');
    writeFileSync(bad, 'ERROR: [055]: unable to load info file');
    const run = await runCli(['info', '--from-file', bad, '--json']);
    expect(run.exitCode).toBe(2);
    expect(envelope(run).error.message).toContain('valid JSON');
  });
});

describe('chronos status --from-file', () => {
  it('reports the latest backup of each type with its age at --now', async () => {
    const now = '2026-11-25T05:22:01Z';
    const run = await runCli(['status', '--from-file', INFO, '--now', now, '--json']);
    expect(run.exitCode).toBe(0);
    const [first] = envelope(run).result.stanzas;
    for (const type of ['full', 'diff'] as const) {
      const newest = stanza.backup
        .filter((b) => b.type === type)
        .sort((a, b) => b.timestamp.stop - a.timestamp.stop)[0]!;
      expect(first.latest[type]).toMatchObject({
        label: newest.label,
        ageSeconds: Date.parse(now) / 1000 - newest.timestamp.stop,
      });
    }
    expect(first.latest.incr).toBeNull();
    expect(first.recoveryWindow.earliest).toBe(
      new Date(
        Math.min(...stanza.backup.filter((b) => b.type === 'full').map((b) => b.timestamp.stop)) * 1000,
      ).toISOString(),
    );
  });

  it('prints ages for people', async () => {
    const run = await runCli(['status', '--from-file', INFO, '--now', '2026-11-24T06:22:01Z']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/diff\s+20261124-052144F_20261124-052158D\s+1\s+\S+\s+1h 0m/);
  });

  it('rejects --now without an offset', async () => {
    const run = await runCli(['status', '--from-file', INFO, '--now', '2026-11-24 06:22:01']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--now must be an ISO-8601 instant with Z or an offset');
  });
});
