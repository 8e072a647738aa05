import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { comparePgBackRestVerify } from '../../src/pgbackrest-comparison.js';
import { parsePgBackRestVerify } from '../../src/pgbackrest-verify.js';
import type { Finding, VerifyReport } from '../../src/report.js';

// `pgbackrest --log-level-console=info --output=text verify` of pgBackRest 2.45 on damaged repositories (stanza renamed demo).
const recorded = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/pgbackrest-verify/${name}-2.45.txt`, import.meta.url)), 'utf8');

function reportWith(findings: Finding[], backups: Array<{ label: string; restorable: boolean | null }>): VerifyReport {
  return {
    findings,
    stanzas: [{ backups: backups.map((b) => ({ ...b, reasons: [] })) }],
  } as unknown as VerifyReport;
}

describe('parsePgBackRestVerify on recorded pgBackRest 2.45 output', () => {
  it('reads a healthy run (no summary printed) as ok with no problems', () => {
    expect(parsePgBackRestVerify(recorded('healthy'))).toEqual({
      status: 'ok',
      archives: [],
      backups: [],
      problems: [],
    });
  });

  it('names a backup file with an invalid checksum and the backups it makes invalid, once each', () => {
    const result = parsePgBackRestVerify(recorded('flipped-bz2'));
    expect(result.status).toBe('error');
    expect(result.problems).toEqual([
      {
        level: 'INFO',
        message: expect.stringMatching(/^invalid checksum '/),
        path: expect.stringMatching(/^\d{8}-\d{6}F\/pg_data\/base\/1\/\d+\.bz2$/),
      },
    ]);
    expect(result.backups.map((b) => [b.status, b.checked - b.valid, b.checksumInvalid, b.missing])).toEqual([
      ['invalid', 1, 1, undefined],
      ['invalid', 1, 1, undefined],
    ]);
    expect(result.backups[1]!.label).toMatch(/^\d{8}-\d{6}F_\d{8}-\d{6}I$/);
  });

  it('names a damaged WAL segment by its archive path, whatever the message lines that follow it', () => {
    const result = parsePgBackRestVerify(recorded('flipped-wal'));
    expect(result.problems.map((p) => p.path)).toEqual([
      expect.stringMatching(/^15-1\/0000000100000000\/000000010000000000000002-[0-9a-f]{40}\.zst$/),
    ]);
    expect(result.archives).toEqual([
      {
        archiveId: '15-1',
        checked: 13,
        valid: 12,
        missing: undefined,
        checksumInvalid: undefined,
        sizeInvalid: undefined,
        other: 1,
      },
    ]);
  });

  it('names an lz4 and a bz2 WAL segment, each followed by its retry lines', () => {
    const result = parsePgBackRestVerify(recorded('flipped-wal-lz4-bz2'));
    expect(result.status).toBe('error');
    expect(result.problems.map((p) => p.path)).toEqual([
      expect.stringMatching(/^15-1\/0000000100000000\/[0-9A-F]{24}-[0-9a-f]{40}\.lz4$/),
      expect.stringMatching(/^15-1\/0000000100000000\/[0-9A-F]{24}-[0-9a-f]{40}\.bz2$/),
    ]);
    expect(result.archives.map((a) => [a.archiveId, a.checked - a.valid, a.other])).toEqual([['15-1', 2, 2]]);
  });

  it('reports nothing for a WAL gap (pgBackRest does not count one as an error) nor for a manifest with a wrong checksum', () => {
    expect(parsePgBackRestVerify(recorded('wal-gap'))).toMatchObject({ status: 'ok', problems: [] });
    expect(parsePgBackRestVerify(recorded('manifest-checksum'))).toMatchObject({ status: 'ok', problems: [] });
  });
});

// The same command of pgBackRest 2.55.1 and 2.60.0 on an encrypted S3 repository (bundles, block incremental): the
// summary is unchanged since 2.45; a job's retries are one continuation line ("on 2 retries from …") instead of one each.
describe.each(['2.55.1', '2.60.0'])('parsePgBackRestVerify on recorded pgBackRest %s output', (version) => {
  const at = (name: string) =>
    readFileSync(
      fileURLToPath(new URL(`../fixtures/pgbackrest-verify/s3-${name}-${version}.txt`, import.meta.url)),
      'utf8',
    );
  const archiveId = version === '2.55.1' ? '17-1' : '18-1';

  it('reads a healthy run and a WAL gap as ok with no problems', () => {
    expect(parsePgBackRestVerify(at('healthy'))).toEqual({ status: 'ok', archives: [], backups: [], problems: [] });
    expect(parsePgBackRestVerify(at('wal-gap'))).toEqual({ status: 'ok', archives: [], backups: [], problems: [] });
  });

  it('names a damaged WAL segment once, whatever its one-line retry summary says', () => {
    const result = parsePgBackRestVerify(at('flipped-wal'));
    expect(result.status).toBe('error');
    expect(result.problems).toEqual([
      {
        level: 'INFO',
        message: expect.stringMatching(/^invalid result .*zlib threw error/),
        path: expect.stringMatching(new RegExp(`^${archiveId}/0000000100000000/[0-9A-F]{24}-[0-9a-f]{40}\\.gz$`)),
      },
    ]);
    expect(result.archives).toEqual([
      {
        archiveId,
        checked: 15,
        valid: 14,
        missing: undefined,
        checksumInvalid: undefined,
        sizeInvalid: undefined,
        other: 1,
      },
    ]);
    expect(result.backups).toEqual([]);
  });
});

describe('comparePgBackRestVerify', () => {
  const theirs = parsePgBackRestVerify(recorded('flipped-bz2'));
  const path = theirs.problems[0]!.path!;
  const [full, incr] = theirs.backups.map((b) => b.label) as [string, string];
  const corrupt: Finding = {
    code: 'backup-file-checksum-mismatch',
    severity: 'error',
    message: 'x',
    where: { key: `backup/demo/${path}`, label: full, file: path.slice(full.length + 1, -4) },
    breaks: [full, incr],
  };
  const gap: Finding = {
    code: 'wal-missing',
    severity: 'error',
    message: 'gap',
    where: {
      archiveId: '15-1',
      segments: { timeline: 1, first: '000000010000000000000009', last: '000000010000000000000009', count: 1 },
    },
  };

  it('pairs what pgBackRest named with our finding and lists what it missed', () => {
    const comparison = comparePgBackRestVerify(
      reportWith(
        [corrupt, gap],
        [
          { label: full, restorable: false },
          { label: incr, restorable: false },
        ],
      ),
      theirs,
    );
    expect(comparison.agreed.map((a) => [a.theirs.path, a.ours.code])).toEqual([[path, corrupt.code]]);
    expect(comparison.missedByUs).toEqual([]);
    expect(comparison.missedByPgBackRest).toEqual([gap]);
  });

  it('lists what pgBackRest found and we did not: the file, and each backup it judged invalid', () => {
    const comparison = comparePgBackRestVerify(
      reportWith(
        [gap],
        [
          { label: full, restorable: true },
          { label: incr, restorable: true },
        ],
      ),
      theirs,
    );
    expect(comparison.missedByUs).toEqual([
      theirs.problems[0],
      { label: full, status: 'invalid' },
      { label: incr, status: 'invalid' },
    ]);
  });
});
