import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBackupFiles } from '../../src/deep-backups.js';
import { parseInfoFile } from '../../src/info-file.js';
import { PosixStorage } from '../../src/posix-storage.js';
import { fixtureText } from './fixtures.js';

/** The recorded manifest with another format number and a checksum that matches again, as a newer pgBackRest would write it. */
function manifestOfFormat(format: number): string {
  const text = fixtureText('plain/backup.manifest').replace(/^backrest-format=\d+$/m, `backrest-format=${format}`);
  const checksum = parseInfoFile(text).computedChecksum;
  return text.replace(/^backrest-checksum=".*"$/m, `backrest-checksum="${checksum}"`);
}

describe('a manifest of a newer format than this package reads', () => {
  let dir: string;
  const label = '20261124-063659F';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'verify-format-'));
    await mkdir(join(dir, 'backup/fx', label), { recursive: true });
    for (const name of ['backup.manifest', 'backup.manifest.copy']) {
      await writeFile(join(dir, 'backup/fx', label, name), manifestOfFormat(6));
    }
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is a finding that says to update, and the run is marked incomplete instead of crashing', async () => {
    expect(parseInfoFile(manifestOfFormat(6)).checksumValid).toBe(true);
    const result = await verifyBackupFiles({
      storage: new PosixStorage(dir),
      stanza: 'fx',
      backupRoot: 'backup/fx/',
      labels: [label],
      manifestPassphrase: undefined,
      objectSizes: new Map(),
      concurrency: 2,
      signal: undefined,
    });
    expect(result.complete).toBe(false);
    expect(result.findings.map((f) => [f.code, f.where?.key])).toEqual([
      ['backup-manifest-invalid', `backup/fx/${label}/backup.manifest`],
    ]);
    expect(result.findings[0]!.message).toMatch(
      /manifest format 6 is newer than the format this package reads \(5\): update @chronos\/s3-verify/,
    );
    expect(result.summary.files).toBe(0);
  });
});
