import { randomBytes } from 'node:crypto';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  type S3Endpoint,
  startS3Endpoint,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, type Finding, parseWalFileName, type VerifyReport, verifyRepository } from '../../src/index.js';
import { parseInfoFile } from '../../src/info-file.js';
import { type ManifestFile, manifestContent } from '../../src/manifest-files.js';
import type { VerifyOptions } from '../../src/options.js';
import { PosixStorage } from '../../src/posix-storage.js';
import {
  faultClient,
  listKeys,
  pgbackrest,
  startRepositories,
  verifyOptions,
  withoutObject,
  withoutObjects,
} from './repository.js';
import {
  backupWalRanges,
  errorsOf,
  expectBothClean,
  expectCoversPgBackRest,
  flipMiddle,
  isSegmentKey,
  segmentNameOf,
  segmentNoBackupNeeds,
  theirVerify,
  withoutFile,
} from './side-by-side.js';

const skip = await integrationGate(await probePgBackRest());
const cipherPass = `throwaway-${randomBytes(12).toString('hex')}`;
const s3Path = '/deep-encrypted';

/** pgBackRest's own verify on repository `repo`: the files it names as invalid or missing (`<label>/<file>` or `<archive id>/<dir>/<segment>`). */
async function pgbackrestVerify(stack: PgBackRestStack, repo: number): Promise<{ text: string; named: string[] }> {
  const result = await stack.exec(
    'pgbackrest',
    [`--stanza=${stack.stanza}`, `--repo=${repo}`, '--log-level-console=info', '--job-retry-interval=0', 'verify'],
    { timeout: 240_000 },
  );
  const text = result.stdout + result.stderr;
  const named = [
    ...text.matchAll(/INFO: (?:invalid result (\S+?): |(?:invalid|missing|file missing)[^'\n]*'([^']+)')/g),
  ].map((m) => (m[1] ?? m[2])!);
  return { text, named };
}

/** Asserts that our findings name everything pgBackRest named: the object, or the backup file (by label and manifest name, or the missing or cut object of its backup). */
function expectCovered(findings: readonly Finding[], named: readonly string[]): void {
  for (const name of named) {
    const label = name.split('/')[0]!;
    const covered = findings.some(
      (f) =>
        f.where?.key?.endsWith(`/${name}`) === true ||
        (f.where?.file !== undefined && name.startsWith(`${f.where.label}/${f.where.file}`)) ||
        ((f.code === 'backup-file-missing' || f.code === 'backup-file-truncated') &&
          f.where?.key?.includes(`/${label}/`) === true),
    );
    expect(covered, `pgBackRest names ${name}`).toBe(true);
  }
}

describe.skipIf(skip)(skip ?? 'deep verification of repositories written by pgBackRest 2.45', () => {
  let s3: S3Endpoint;
  let client: S3Client;
  let stack: PgBackRestStack;
  let repoDir: string;
  let labels: string[];

  const deepPosix = () => verifyRepository({ path: repoDir, deep: true });
  const deepS3 = (extra: Partial<VerifyOptions> = {}) => {
    process.env['S3_VERIFY_DEEP_PASS'] = cipherPass;
    return verifyRepository(
      verifyOptions(s3, s3Path, { deep: true, cipherPassphrase: { env: 'S3_VERIFY_DEEP_PASS' }, ...extra }),
    );
  };
  const errors = (report: VerifyReport): Finding[] => report.findings.filter((f) => f.severity !== 'info');
  const manifest = async (label: string) =>
    manifestContent(
      parseInfoFile(await readFile(join(repoDir, 'backup', stack.stanza, label, 'backup.manifest'), 'utf8')),
    );
  const walKeys = async () => {
    const keys: string[] = [];
    for await (const page of new PosixStorage(repoDir).list(`archive/${stack.stanza}/`)) {
      for (const o of page.objects)
        if (parseWalFileName(o.key.slice(o.key.lastIndexOf('/') + 1)).kind === 'segment') keys.push(o.key);
    }
    return keys;
  };
  /** Changes a file of the posix repository, runs `during`, then puts the original bytes back. */
  const damaged = async <T>(
    key: string,
    damage: (path: string, bytes: Buffer) => Promise<void>,
    during: () => Promise<T>,
  ) => {
    const path = join(repoDir, key);
    const original = await readFile(path);
    await damage(path, Buffer.from(original));
    try {
      return await during();
    } finally {
      await writeFile(path, original);
    }
  };
  const flip = (offset: number) => async (path: string, bytes: Buffer) => {
    bytes[offset] = bytes[offset]! ^ 0xff;
    await writeFile(path, bytes);
  };

  /** Flips a byte in the middle of a bundled file of the oldest backup while `during` runs: the file, its bundle's key, what `during` gave. */
  const withBundledFileFlipped = async <T>(during: () => Promise<T>) => {
    const victim = (await manifest(labels[0]!)).files.find(
      (f) => f.bundleId !== undefined && f.repoSize > 4096,
    ) as ManifestFile;
    const key = `backup/${stack.stanza}/${labels[0]}/bundle/${victim.bundleId}`;
    const result = await damaged(key, flip(victim.bundleOffset + Math.floor(victim.repoSize / 2)), during);
    return { victim, key, result };
  };

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-deep' });
    client = faultClient(s3);
    stack = await startRepositories([
      { type: 'posix', options: { bundle: 'y' } },
      { type: 's3', endpoint: s3, path: s3Path, cipherPass },
    ]);
    repoDir = stack.repos[0]!.hostPath!;
    const info = JSON.parse(await pgbackrest(stack, 'info', '--output=json', '--repo=1')) as Array<{
      backup: Array<{ label: string }>;
    }>;
    labels = info[0]!.backup.map((b) => b.label);
  }, 600_000);

  afterAll(async () => {
    delete process.env['S3_VERIFY_DEEP_PASS'];
    client?.destroy();
    await stack?.stop();
    await s3?.stop();
  });

  it('finds nothing wrong in a healthy bundled posix repository and proves every backup restorable', async () => {
    const report = await deepPosix();
    expect(report.findings).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
    const stanza = report.stanzas[0]!;
    const files = new Set<string>();
    for (const label of labels)
      for (const f of (await manifest(label)).files) if (f.size > 0) files.add(`${f.reference ?? label}/${f.name}`);
    expect(stanza.deep!.files).toBe(files.size);
    expect(stanza.deep!.segments).toBe((await walKeys()).length);
    expect(stanza.deep!.segmentBytes).toBe(stanza.deep!.segments * 16 * 1024 * 1024);
    expect(stanza.backups.map((b) => [b.restorable, b.reasons])).toEqual(labels.map(() => [true, []]));
  });

  const theirsOnS3 = (recordAs: string) =>
    theirVerify(stack, { repo: 2, recordAs, secrets: [cipherPass, s3.secretAccessKey] });

  it('finds nothing wrong in a healthy encrypted S3 repository (every file decrypted through the key chain), as pgBackRest', async () => {
    const report = await deepS3();
    expectBothClean(report, await theirsOnS3('s3-healthy-2.45'));
    const stanza = report.stanzas[0]!;
    expect(stanza.encrypted).toBe(true);
    expect(stanza.deep!.files).toBeGreaterThan(100);
    expect(stanza.backups.every((b) => b.restorable === true)).toBe(true);
    expect(JSON.stringify(report)).not.toContain(cipherPass);
  });

  it('stops when its signal aborts and says what it checked (exit 2)', async () => {
    const full = await deepPosix();
    // Stopped once it has checked its first object (a fixed delay can outlast the whole run).
    const controller = new AbortController();
    const report = await verifyRepository({
      path: repoDir,
      deep: true,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const aborted = report.findings.filter((f) => f.code === 'verification-aborted');
    expect(aborted).toHaveLength(1);
    expect(aborted[0]!.message).toMatch(/were checked before it stopped/);
    expect(report.stanzas[0]!.deep!.files + report.stanzas[0]!.deep!.segments).toBeLessThan(
      full.stanzas[0]!.deep!.files + full.stanzas[0]!.deep!.segments,
    );
    expect(exitCodeFor(report)).toBe(2);
  });

  it('names the bundle and the file when a byte of a bundled file is flipped, as pgBackRest does', async () => {
    const {
      victim,
      key,
      result: [report, theirs],
    } = await withBundledFileFlipped(async () => [await deepPosix(), await pgbackrestVerify(stack, 1)] as const);
    const found = errors(report);
    expect(found.map((f) => [f.code, f.where?.key, f.where?.file])).toEqual([
      ['backup-file-corrupt', key, victim.name],
    ]);
    expect(found[0]!.breaks).toEqual(labels);
    expect(report.stanzas[0]!.backups.map((b) => b.restorable)).toEqual(labels.map(() => false));
    expect(exitCodeFor(report)).toBe(1);
    expect(theirs.named).toEqual([`${labels[0]}/${victim.name}.gz`]);
    expectCovered(found, theirs.named);
  });

  it('with deepProof "stored" proves each backup file by its stored bytes, as pgBackRest does: nothing decoded when healthy, a flipped byte found', async () => {
    const stored = () => verifyRepository({ path: repoDir, deep: true, deepProof: 'stored' });
    const [content, healthy] = [await deepPosix(), await stored()];
    expect(healthy.findings).toEqual([]);
    expect(healthy.settings.deepProof).toBe('stored');
    const [ours, theirs] = [healthy.stanzas[0]!.deep!, content.stanzas[0]!.deep!];
    expect(ours.files).toBe(theirs.files);
    expect(ours.fileBytes).toBe(0);
    expect(theirs.fileBytes).toBeGreaterThan(0);
    expect(ours.segmentBytes).toBe(theirs.segmentBytes);
    expect(ours.notProven.map((n) => n.label)).toEqual(labels);
    for (const entry of ours.notProven) {
      expect(entry.files).toBeGreaterThan(0);
      expect(entry.reason).toMatch(/stored bytes checked against the repository checksum/);
    }

    const {
      victim,
      key,
      result: [report, pgbr],
    } = await withBundledFileFlipped(async () => [await stored(), await pgbackrestVerify(stack, 1)] as const);
    const found = errors(report);
    expect(found.map((f) => [f.code, f.where?.key, f.where?.file, f.expected])).toEqual([
      ['backup-file-checksum-mismatch', key, victim.name, victim.repoChecksum],
    ]);
    expect(found[0]!.breaks).toEqual(labels);
    expect(pgbr.named).toEqual([`${labels[0]}/${victim.name}.gz`]);
    expectCovered(found, pgbr.named);

    const s3Stored = await deepS3({ deepProof: 'stored' });
    expect(errors(s3Stored)).toEqual([]);
    expect(s3Stored.stanzas[0]!.encrypted).toBe(true);
    expect(s3Stored.stanzas[0]!.deep!.notProven.length).toBe(s3Stored.stanzas[0]!.backups.length);
  });

  it('reports a flipped byte in a WAL segment, a truncated bundle and a deleted bundle, each alone', async () => {
    const both = async () => [await deepPosix(), await pgbackrestVerify(stack, 1)] as const;
    const wal = (await walKeys())[2]!;
    const [walReport, walTheirs] = await damaged(wal, flip(100), both);
    expect(errors(walReport).map((f) => [f.code, f.where?.key])).toEqual([['wal-segment-corrupt', wal]]);
    expect(walTheirs.named.length, walTheirs.text).toBeGreaterThan(0);
    expectCovered(errors(walReport), walTheirs.named);

    const key = `backup/${stack.stanza}/${labels[0]}/bundle/1`;
    const [cut, cutTheirs] = await damaged(key, async (path, bytes) => truncate(path, bytes.length - 100), both);
    expectCovered(errors(cut), cutTheirs.named);
    const cutErrors = errors(cut);
    expect(cutErrors.map((f) => [f.code, f.where?.key])).toEqual([['backup-file-truncated', key]]);
    expect(cutErrors[0]!.found).toMatch(/ bytes$/);

    const [gone, goneTheirs] = await withoutFile(repoDir, key, both);
    expect(errors(gone).map((f) => [f.code, f.where?.key])).toEqual([['backup-file-missing', key]]);
    expect(goneTheirs.named.length).toBeGreaterThan(0);
    expectCovered(errors(gone), goneTheirs.named);
  });

  it("sees a WAL segment replaced by another segment's content", async () => {
    const [first, second] = (await walKeys()).slice(3, 5) as [string, string];
    const other = await readFile(join(repoDir, second));
    const [report, theirs] = await damaged(
      first,
      (path) => writeFile(path, other),
      async () => [await deepPosix(), await pgbackrestVerify(stack, 1)] as const,
    );
    const found = errors(report);
    expectCovered(found, theirs.named);
    expect(found.map((f) => [f.code, f.where?.key])).toEqual([['wal-segment-header-mismatch', first]]);
    expect(found[0]!.expected).toMatch(/^timeline 1, address /);
  });

  it('finds everything pgbackrest verify finds in encrypted S3, and lists the gap and the backup WAL it misses', async () => {
    const segments = (await listKeys(client, s3.bucket, `${s3Path.slice(1)}/archive/${stack.stanza}/`)).filter(
      isSegmentKey,
    );
    const ranges = await backupWalRanges(stack, 2);
    const segment = (name: string) => {
      expect(segments.map(segmentNameOf)).toContain(name);
      return segments.find((k) => segmentNameOf(k) === name)!;
    };
    // The full's first segment flipped, a segment no backup needs removed, the diff's last segment removed.
    const flipped = segment(ranges[0]!.start);
    const gap = segmentNoBackupNeeds(segments, ranges);
    const needed = segment(ranges[1]!.stop);
    const files = (
      await listKeys(client, s3.bucket, `${s3Path.slice(1)}/backup/${stack.stanza}/${ranges[0]!.label}/`)
    ).filter((k) => k.includes('/pg_data/base/') && k.endsWith('.gz'));
    expect(files.length).toBeGreaterThan(10);
    const file = files[Math.floor(files.length / 3)]!;
    expect(new Set([flipped, gap, needed, file]).size).toBe(4);

    const flip = (bytes: Uint8Array) => flipMiddle(Buffer.from(bytes));
    const [ours, theirs] = await withoutObjects(
      client,
      s3.bucket,
      [{ key: flipped, replacement: flip }, { key: file, replacement: flip }, { key: gap }, { key: needed }],
      async () => [await deepS3({ gracePeriodSeconds: 0 }), await theirsOnS3('s3-damaged-2.45')] as const,
    );
    expect(theirs.status).toBe('error');
    expectCoversPgBackRest(ours, theirs, {
      agreed: [flipped, file],
      missedByPgBackRest: [
        ['wal-missing', segmentNameOf(gap)],
        ['wal-missing', segmentNameOf(needed)],
        ['wal-backup-incomplete', segmentNameOf(needed)],
      ],
    });
    expect(errorsOf(ours).find((f) => f.code === 'wal-backup-incomplete')?.where?.label).toBe(ranges[1]!.label);
    expect(ours.stanzas[0]!.backups.map((b) => b.restorable)).toEqual([false, false, false]);
    expect(exitCodeFor(ours)).toBe(1);
  });

  it('reports a file named by a manifest deleted from S3, and a flipped byte in an encrypted file', async () => {
    const prefix = `${s3Path.slice(1)}/backup/${stack.stanza}/`;
    const keys = (await listKeys(client, s3.bucket, prefix)).filter(
      (k) => k.includes('/pg_data/base/') && k.endsWith('.gz'),
    );
    const victim = keys[Math.floor(keys.length / 2)]!;
    const gone = await withoutObject(client, s3.bucket, victim, deepS3);
    expect(errors(gone).map((f) => [f.code, f.where?.key])).toEqual([['backup-file-missing', victim]]);
    expect(gone.stanzas[0]!.backups.some((b) => b.restorable === false)).toBe(true);

    const big = keys[0]!;
    const flipped = await withoutObject(client, s3.bucket, big, deepS3, (bytes) => {
      const copy = Buffer.from(bytes);
      copy[24] = copy[24]! ^ 0x01;
      return copy;
    });
    expect(errors(flipped).map((f) => [f.code, f.where?.key])).toEqual([['backup-file-corrupt', big]]);
  });
});
