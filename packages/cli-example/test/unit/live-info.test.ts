import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgBackRestConfigurationError } from '@chronos/pgbackrest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLiveInfo } from '../../src/pgbackrest.js';
import { FIXTURES } from '../helpers/run-cli.js';

// A stand-in executable that records each invocation, so the test can count what ran and in what form.
let dir: string;
let made = 0;
async function fakePgBackRest(version: string): Promise<{ bin: string; calls: () => Promise<string[]> }> {
  made += 1;
  const bin = join(dir, `pgbackrest-${made}`);
  const log = `${bin}.calls`;
  const info = join(FIXTURES, 'info-2.45-s3-encrypted-plus-posix.json');
  await writeFile(
    bin,
    [
      '#!/bin/sh',
      `echo "$*" >> '${log}'`,
      `case " $* " in *' version '*) sleep 0.2; echo 'pgBackRest ${version}'; exit 0;; esac`,
      `cat '${info}'`,
      '',
    ].join('\n'),
  );
  await chmod(bin, 0o755);
  return { bin, calls: async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chronos-live-info-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readLiveInfo', () => {
  it('runs info once when every release builds the same command', async () => {
    const fake = await fakePgBackRest('2.60.0');
    const info = await readLiveInfo({ stanza: 'demo', transport: { kind: 'local' }, bin: fake.bin });
    expect(info.length).toBeGreaterThan(0);
    const calls = await fake.calls();
    expect(calls.filter((c) => /\bversion\b/.test(c))).toHaveLength(1);
    expect(calls.filter((c) => /\binfo\b/.test(c))).toEqual(['--stanza=demo --output=json info']);
  });

  it('waits for the version when the oldest release cannot build the command, then runs it once', async () => {
    const fake = await fakePgBackRest('2.60.0');
    await readLiveInfo(
      { stanza: 'demo', transport: { kind: 'local' }, bin: fake.bin },
      { 'repo-target-time': '2026-11-01 00:00:00+00' },
    );
    const infoCalls = (await fake.calls()).filter((c) => /\binfo\b/.test(c));
    expect(infoCalls).toHaveLength(1);
    expect(infoCalls[0]).toContain('--repo-target-time=');
  });

  it('rejects an option the installed release lacks, with the typed configuration error', async () => {
    const fake = await fakePgBackRest('2.45');
    await expect(
      readLiveInfo(
        { stanza: 'demo', transport: { kind: 'local' }, bin: fake.bin },
        { 'repo-target-time': '2026-11-01 00:00:00+00' },
      ),
    ).rejects.toBeInstanceOf(PgBackRestConfigurationError);
    expect((await fake.calls()).filter((c) => /\binfo\b/.test(c))).toEqual([]);
  });
});
