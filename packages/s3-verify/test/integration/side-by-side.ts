import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PgBackRestStack } from '@chronos/pgbackrest/testing';
import { expect } from 'vitest';
import {
  comparePgBackRestVerify,
  exitCodeFor,
  type Finding,
  type PgBackRestComparison,
  type PgBackRestVerifyResult,
  parsePgBackRestVerify,
  parseWalFileName,
  type VerifyReport,
} from '../../src/index.js';
import { PosixStorage } from '../../src/posix-storage.js';
import { pgbackrest } from './repository.js';

/** When set, pgBackRest verify's output of each run is written there (to refresh test/fixtures/pgbackrest-verify). */
const recordTo = process.env['CHRONOS_RECORD_VERIFY_OUTPUT'];

/** Options for {@link theirVerify}. */
export interface TheirVerifyOptions {
  /** pgBackRest's `--repo`; its default repository when undefined. */
  readonly repo?: number;
  /** File name (without `.txt`) to record the output as when CHRONOS_RECORD_VERIFY_OUTPUT is set. */
  readonly recordAs?: string;
  /** Values that must not appear in pgBackRest's output (passphrases, S3 keys). */
  readonly secrets?: readonly string[];
}

/**
 * pgBackRest's own `verify --output=text --log-level-console=info --job-retry-interval=0` in the stack, parsed,
 * with the stanza name written as `demo` (recorded when asked to). It exits 0, and its output carries no secret.
 */
export async function theirVerify(
  stack: PgBackRestStack,
  options: TheirVerifyOptions = {},
): Promise<PgBackRestVerifyResult & { readonly text: string }> {
  const result = await stack.exec(
    'pgbackrest',
    [
      `--stanza=${stack.stanza}`,
      ...(options.repo === undefined ? [] : [`--repo=${options.repo}`]),
      '--log-level-console=info',
      '--output=text',
      // A damaged file fails its job, which pgBackRest retries twice: without waiting 15 s before the second.
      '--job-retry-interval=0',
      'verify',
    ],
    { timeout: 240_000 },
  );
  const text = `${result.stdout}${result.stderr}`.replaceAll(stack.stanza, 'demo');
  for (const secret of options.secrets ?? []) expect(text.includes(secret), 'a secret in the output').toBe(false);
  expect(result.exitCode, text).toBe(0);
  if (recordTo !== undefined && options.recordAs !== undefined) {
    await mkdir(recordTo, { recursive: true });
    await writeFile(join(recordTo, `${options.recordAs}.txt`), text);
  }
  return { ...parsePgBackRestVerify(text), text };
}

/** Error and warning findings (info findings are for the record). */
export const errorsOf = (report: VerifyReport): Finding[] => report.findings.filter((f) => f.severity !== 'info');

/** The 24-hex segment name in a WAL object key. */
export const segmentNameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 25);

/** Whether a repository key names a WAL segment (not a history, backup history or partial file). */
export const isSegmentKey = (key: string): boolean =>
  parseWalFileName(key.slice(key.lastIndexOf('/') + 1)).kind === 'segment';

/** The WAL segment keys of a stanza in a posix repository, in name order. */
export async function posixSegmentKeys(repoDir: string, stanza: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of new PosixStorage(repoDir).list(`archive/${stanza}/`)) {
    for (const o of page.objects) if (isSegmentKey(o.key)) keys.push(o.key);
  }
  return keys.sort();
}

/** Each backup's label and WAL (first and last segment) in repository `repo`, oldest first, as pgBackRest's info says. */
export async function backupWalRanges(
  stack: PgBackRestStack,
  repo: number,
): Promise<ReadonlyArray<{ readonly label: string; readonly start: string; readonly stop: string }>> {
  const info = JSON.parse(await pgbackrest(stack, 'info', '--output=json', `--repo=${repo}`)) as Array<{
    backup: Array<{ label: string; archive: { start: string; stop: string } }>;
  }>;
  return info[0]!.backup.map((b) => ({ label: b.label, ...b.archive }));
}

/** The first segment after the oldest backup's start that no backup needs, and not the newest one. */
export function segmentNoBackupNeeds(
  segments: readonly string[],
  ranges: ReadonlyArray<{ readonly start: string; readonly stop: string }>,
): string {
  const victim = segments.slice(0, -1).find((key) => {
    const name = segmentNameOf(key);
    return name > ranges[0]!.start && ranges.every((r) => name < r.start || name > r.stop);
  });
  expect(victim, 'a segment no backup needs').toBeDefined();
  return victim!;
}

/** A repository key as pgBackRest's verify names it: relative to the stanza's archive or backup folder. */
export const stanzaRelative = (key: string, stanza: string): string =>
  key.slice(key.indexOf(`/${stanza}/`) + stanza.length + 2);

/** Flips every bit of the byte in the middle (in place) and returns the bytes. */
export function flipMiddle<T extends Uint8Array>(bytes: T): T {
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  return bytes;
}

/** Removes a file of a posix repository, runs `during`, then puts it back. */
export async function withoutFile<T>(repoDir: string, key: string, during: () => Promise<T>): Promise<T> {
  const path = join(repoDir, key);
  const original = await readFile(path);
  await rm(path);
  try {
    return await during();
  } finally {
    await writeFile(path, original);
  }
}

/** Changes a file of a posix repository, runs `during`, then puts the original bytes back. */
export async function withChangedFile<T>(
  repoDir: string,
  key: string,
  change: (bytes: Buffer) => Buffer,
  during: () => Promise<T>,
): Promise<T> {
  const path = join(repoDir, key);
  const original = await readFile(path);
  await writeFile(path, change(Buffer.from(original)));
  try {
    return await during();
  } finally {
    await writeFile(path, original);
  }
}

/** A healthy repository: no finding of ours, pgBackRest says ok, and neither side has anything the other lacks. */
export function expectBothClean(ours: VerifyReport, theirs: PgBackRestVerifyResult & { readonly text: string }): void {
  expect(ours.findings).toEqual([]);
  expect(theirs.status, theirs.text).toBe('ok');
  expect(comparePgBackRestVerify(ours, theirs)).toEqual({ agreed: [], missedByUs: [], missedByPgBackRest: [] });
}

/**
 * The relation of our report to pgBackRest's verify on the same damaged repository: every problem pgBackRest
 * names is covered by a finding of ours (`missedByUs` empty), the findings that cover them name exactly
 * `agreed` (object keys), and what pgBackRest missed is exactly `missedByPgBackRest` (`[code, key, else first
 * segment, else archive id]`, in any order).
 */
export function expectCoversPgBackRest(
  ours: VerifyReport,
  theirs: PgBackRestVerifyResult & { readonly text: string },
  expected: {
    readonly agreed: readonly string[];
    readonly missedByPgBackRest: ReadonlyArray<readonly [string, string]>;
  },
): PgBackRestComparison {
  const comparison = comparePgBackRestVerify(ours, theirs);
  expect(comparison.missedByUs, theirs.text).toEqual([]);
  expect([...new Set(comparison.agreed.map((a) => a.ours.where?.key))].sort()).toEqual([...expected.agreed].sort());
  const where = (f: Finding) => f.where?.key ?? f.where?.segments?.first ?? f.where?.archiveId;
  expect(comparison.missedByPgBackRest.map((f) => [f.code, where(f)]).sort()).toEqual(
    expected.missedByPgBackRest.map(([code, at]) => [code, at]).sort(),
  );
  return comparison;
}

/**
 * A byte flipped in each of `keys`: our findings name exactly those objects (the code depends on where the byte
 * lands: the decoder stops, or decodes to the wrong length or bytes), pgBackRest names exactly those files, and
 * neither side misses anything the other found.
 */
export function expectFlipsNamed(
  ours: VerifyReport,
  theirs: PgBackRestVerifyResult & { readonly text: string },
  keys: readonly string[],
  kind: 'backup-file' | 'wal-segment',
  stanza: string,
): void {
  const found = errorsOf(ours);
  expect(found.map((f) => f.where?.key).sort()).toEqual([...keys].sort());
  for (const finding of found) {
    expect([`${kind}-corrupt`, `${kind}-size-mismatch`, `${kind}-checksum-mismatch`]).toContain(finding.code);
  }
  expect(theirs.status, theirs.text).toBe('error');
  expect(theirs.problems.map((p) => p.path).sort()).toEqual(keys.map((k) => stanzaRelative(k, stanza)).sort());
  expectCoversPgBackRest(ours, theirs, { agreed: keys, missedByPgBackRest: [] });
}

/** One damage read three ways: the shallow verification, the deep one and pgBackRest's verify. */
export type ThreeReports = readonly [VerifyReport, VerifyReport, PgBackRestVerifyResult & { readonly text: string }];

/** A timeline history file rewritten to say timeline 2 branched from timeline 1 at FF/0, after the WAL it holds. */
export function branchLater(bytes: Uint8Array): Buffer {
  const text = Buffer.from(bytes).toString('utf8');
  const edited = text.replace(/^1\t[0-9A-F]+\/[0-9A-F]+\t/m, '1\tFF/0\t');
  expect(edited).not.toBe(text);
  return Buffer.from(edited);
}

/**
 * The history file `key` removed: timeline 2's history is unknown, so continuity is checked from the oldest segment
 * (a `wal-not-checked` warning). pgBackRest's verify reads no history file: it reports nothing, and misses both.
 */
export function expectHistoryMissing([shallow, deep, theirs]: ThreeReports, key: string, archiveId: string): void {
  expect(shallow.findings.map((f) => [f.code, f.where?.key])).toEqual([
    ['wal-history-missing', key],
    ['wal-not-checked', undefined],
  ]);
  expect(exitCodeFor(shallow)).toBe(1);
  expect(deep.findings.map((f) => f.code)).toEqual(['wal-history-missing', 'wal-not-checked']);
  expect(theirs).toMatchObject({ status: 'ok', problems: [] });
  expectCoversPgBackRest(deep, theirs, {
    agreed: [],
    missedByPgBackRest: [
      ['wal-history-missing', key],
      ['wal-not-checked', archiveId],
    ],
  });
}

/**
 * The history file `key` rewritten by {@link branchLater}: it disagrees with the WAL (`wal-history-mismatch`), and
 * the restore path it describes needs timeline 1's WAL up to FF/0, which is not there (`wal-missing`). pgBackRest's
 * verify reports nothing and misses both.
 */
export function expectHistoryRewritten([shallow, deep, theirs]: ThreeReports, key: string): void {
  const mismatch = shallow.findings.filter((f) => f.code === 'wal-history-mismatch');
  expect(mismatch.map((f) => f.where?.key)).toEqual([key]);
  expect(mismatch[0]!.message).toMatch(/has WAL from before it branched from timeline 1 at FF\/0/);
  expect(shallow.findings.filter((f) => f !== mismatch[0]).map((f) => [f.code, f.where?.segments?.timeline])).toEqual([
    ['wal-missing', 1],
  ]);
  expect(exitCodeFor(shallow)).toBe(1);
  expect(theirs).toMatchObject({ status: 'ok', problems: [] });
  const needed = shallow.findings.find((f) => f.code === 'wal-missing')!.where!.segments!.first;
  expectCoversPgBackRest(deep, theirs, {
    agreed: [],
    missedByPgBackRest: [
      ['wal-history-mismatch', key],
      ['wal-missing', needed],
    ],
  });
}
