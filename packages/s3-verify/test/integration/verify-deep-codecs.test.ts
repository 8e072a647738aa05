import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  startNativeStack,
  switchWal,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  comparePgBackRestVerify,
  describeProgress,
  exitCodeFor,
  parseWalFileName,
  type VerifyProgress,
  type VerifyReport,
  verifyRepository,
} from '../../src/index.js';
import { parseInfoFile } from '../../src/info-file.js';
import { type ManifestContent, manifestContent, storedFileKey } from '../../src/manifest-files.js';
import { PosixStorage } from '../../src/posix-storage.js';
import { pgbackrest } from './repository.js';
import { errorsOf, expectFlipsNamed, flipMiddle, theirVerify, withChangedFile } from './side-by-side.js';

const skip = await integrationGate(await probePgBackRest());

describe.skipIf(skip)(
  skip ?? 'deep verification of a posix repository written by pgBackRest 2.45 with zst, lz4 and bz2 (backups and WAL)',
  () => {
    let stack: PgBackRestStack;
    let repoDir: string;
    let manifests: ManifestContent[];

    const segmentKeys = async () => {
      const keys: string[] = [];
      for await (const page of new PosixStorage(repoDir).list(`archive/${stack.stanza}/`)) {
        for (const o of page.objects)
          if (parseWalFileName(o.key.slice(o.key.lastIndexOf('/') + 1)).kind === 'segment') keys.push(o.key);
      }
      return keys;
    };
    const byPgBackRest = (name: string) => theirVerify(stack, { recordAs: `${name}-2.45` });
    const damaged = <T>(key: string, change: (bytes: Buffer) => Buffer, during: () => Promise<T>) =>
      withChangedFile(repoDir, key, change, during);

    beforeAll(async () => {
      stack = await startNativeStack({
        repos: [{ type: 'posix' }],
        options: { 'start-fast': 'y', 'archive-timeout': '120', 'compress-type': 'zst' },
      });
      repoDir = stack.repos[0]!.hostPath!;
      await pgbackrest(stack, 'stanza-create');
      // An incr keeps its full's compression, so each codec gets a full of its own.
      for (const compress of ['zst', 'lz4', 'bz2']) {
        await writeRows(stack, 2_000);
        await switchWal(stack);
        await pgbackrest(stack, 'backup', '--type=full', `--compress-type=${compress}`);
      }
      await writeRows(stack, 2_000);
      await switchWal(stack);
      await pgbackrest(stack, 'backup', '--type=incr');
      // archive-push reads pgbackrest.conf on every call: the next segments are pushed with lz4, then bz2.
      for (const compress of ['lz4', 'bz2']) {
        const config = await readFile(stack.configPath, 'utf8');
        const next = config.replace(/^compress-type=\w+$/m, `compress-type=${compress}`);
        expect(next).not.toBe(config);
        await writeFile(stack.configPath, next);
        for (let i = 0; i < 2; i++) {
          await writeRows(stack, 500);
          await switchWal(stack);
        }
      }
      await pgbackrest(stack, 'check');
      const info = JSON.parse(await pgbackrest(stack, 'info', '--output=json')) as Array<{
        backup: Array<{ label: string }>;
      }>;
      manifests = await Promise.all(
        info[0]!.backup.map(async ({ label }) =>
          manifestContent(
            parseInfoFile(await readFile(join(repoDir, 'backup', stack.stanza, label, 'backup.manifest'), 'utf8')),
          ),
        ),
      );
    }, 600_000);

    afterAll(async () => {
      await stack?.stop();
    });

    /** The key of a stored file of a backup compressed with `compression` (a large one, so a flip lands in data). */
    const fileOf = (compression: string) => {
      const manifest = manifests.find((m) => m.compressType === compression && !m.label.includes('_'))!;
      const file = [...manifest.files]
        .filter((f) => f.reference === undefined && f.bundleId === undefined)
        .sort((a, b) => b.repoSize - a.repoSize)[0]!;
      return `backup/${stack.stanza}/${storedFileKey(file, manifest.label, compression)}`;
    };

    it('decompresses every zst, lz4 and bz2 file and segment, finds nothing wrong, and agrees with pgBackRest', async () => {
      expect(manifests.map((m) => m.compressType)).toEqual(['zst', 'lz4', 'bz2', 'bz2']);
      const seen: VerifyProgress[] = [];
      const report = await verifyRepository({ path: repoDir, deep: true, onProgress: (p) => seen.push(p) });
      expect(report.findings).toEqual([]);
      const deep = report.stanzas[0]!.deep!;
      const last = seen.at(-1)!;
      expect(last.objects).toBe(deep.files + deep.segments);
      expect(last.bytes).toBeGreaterThan(0);
      expect(last.bytes).toBeLessThanOrEqual(last.totalBytes!);
      expect(seen.every((p, i) => i === 0 || p.bytes >= seen[i - 1]!.bytes)).toBe(true);
      expect(describeProgress(last)).toMatch(/^deep: [\d,]+\/[\d,]+ objects, .+\/.+, .+\/s, ETA \d+s$/);
      expect(deep.files).toBeGreaterThan(300);
      const keys = await segmentKeys();
      expect(deep.segments).toBe(keys.length);
      expect(new Set(keys.map((k) => k.slice(k.lastIndexOf('.') + 1)))).toEqual(new Set(['zst', 'lz4', 'bz2']));
      expect(deep.segmentBytes).toBe(deep.segments * 16 * 1024 * 1024);
      expect(report.stanzas[0]!.backups.map((b) => b.restorable)).toEqual(manifests.map(() => true));
      const theirs = await byPgBackRest('healthy');
      expect(theirs.status).toBe('ok');
      expect(comparePgBackRestVerify(report, theirs)).toMatchObject({ missedByUs: [], missedByPgBackRest: [] });
    });

    /** Flips a byte in the middle of both objects; each is named by us and by pgBackRest, and by nothing else. */
    async function expectBothFlipsNamed(keys: string[], kind: 'backup-file' | 'wal-segment', recording: string) {
      const [report, theirs] = await damaged(keys[0]!, flipMiddle, () =>
        damaged(
          keys[1]!,
          flipMiddle,
          async () => [await verifyRepository({ path: repoDir, deep: true }), await byPgBackRest(recording)] as const,
        ),
      );
      expectFlipsNamed(report, theirs, keys, kind, stack.stanza);
      expect(exitCodeFor(report)).toBe(1);
    }

    it('names an lz4 and a bz2 backup file with a flipped byte each, as pgBackRest does', async () => {
      await expectBothFlipsNamed([fileOf('lz4'), fileOf('bz2')], 'backup-file', 'flipped-lz4-bz2');
    });

    it('names a zst WAL segment with a flipped byte, as pgBackRest does', async () => {
      const key = (await segmentKeys())[1]!;
      const [report, theirs] = await damaged(
        key,
        flipMiddle,
        async () => [await verifyRepository({ path: repoDir, deep: true }), await byPgBackRest('flipped-wal')] as const,
      );
      const found = errorsOf(report);
      expect(found.map((f) => f.where?.key)).toEqual([key]);
      // A zst frame without a content checksum: a flip can also decode to the wrong length (seen in a CI run).
      expect(['wal-segment-corrupt', 'wal-segment-size-mismatch', 'wal-segment-checksum-mismatch']).toContain(
        found[0]!.code,
      );
      expect(comparePgBackRestVerify(report, theirs).missedByUs).toEqual([]);
    });

    it('names an lz4 and a bz2 WAL segment with a flipped byte each, as pgBackRest does', async () => {
      const all = await segmentKeys();
      const keys = ['lz4', 'bz2'].map((ext) => all.find((k) => k.endsWith(`.${ext}`))!);
      await expectBothFlipsNamed(keys, 'wal-segment', 'flipped-wal-lz4-bz2');
    });

    it('names a manifest whose checksum does not match', async () => {
      const label = manifests[1]!.label;
      const key = `backup/${stack.stanza}/${label}/backup.manifest`;
      const [report, theirs] = await damaged(
        key,
        (bytes) => {
          const edited = bytes.toString('utf8').replace('option-online=true', 'option-online=false');
          expect(edited).not.toBe(bytes.toString('utf8'));
          return Buffer.from(edited);
        },
        async () => [await verifyRepository({ path: repoDir }), await byPgBackRest('manifest-checksum')] as const,
      );
      expect(errorsOf(report).map((f) => [f.code, f.where?.key])).toEqual([['backup-manifest-invalid', key]]);
      expect(errorsOf(report)[0]!.message).toMatch(/does not match its checksum/);
      expect(comparePgBackRestVerify(report, theirs).missedByUs).toEqual([]);
    });

    it("lists the WAL gap pgBackRest's verify does not count as an error", async () => {
      const keys = await segmentKeys();
      const victim = keys[Math.floor(keys.length / 2)]!;
      const path = join(repoDir, victim);
      await rename(path, `${path}.moved`);
      try {
        const report = await verifyRepository({ path: repoDir, gracePeriodSeconds: 0 });
        const theirs = await byPgBackRest('wal-gap');
        const name = victim.slice(victim.lastIndexOf('/') + 1, victim.lastIndexOf('/') + 25);
        const comparison = comparePgBackRestVerify(report, theirs);
        expect(comparison.missedByUs).toEqual([]);
        expect(comparison.missedByPgBackRest.map((f) => [f.code, f.where?.segments?.first])).toContainEqual([
          'wal-missing',
          name,
        ]);
        const range = report.stanzas[0]!.archives[0]!.unrecoverable[0]!;
        expect(range.missing.first).toBe(name);
        expect(range.from).not.toBeNull();
        expect(range.message).toMatch(/restores to times (between|after) \d{4}-\d\d-\d\dT/);
      } finally {
        await rename(`${path}.moved`, path);
      }
    });

    it('names a segment with a compression extension pgBackRest does not write instead of failing', async () => {
      const keys = await segmentKeys();
      const victim = keys[2]!;
      const renamed = victim.replace(/\.zst$/, '.xz');
      await rename(join(repoDir, victim), join(repoDir, renamed));
      try {
        const report = await verifyRepository({ path: repoDir, gracePeriodSeconds: 0 });
        const codes = errorsOf(report).map((f) => [f.code, f.where?.key ?? f.where?.segments?.first]);
        expect(codes).toContainEqual(['wal-compression-unknown', renamed]);
        expect(codes.map((c) => c[0])).toContain('wal-missing');
        expect(exitCodeFor(report)).toBe(1);
      } finally {
        await rename(join(repoDir, renamed), join(repoDir, victim));
      }
    });

    it('finds nothing wrong in deep mode while WAL is being archived', async () => {
      let archiving = true;
      const before = (await segmentKeys()).length;
      const load = (async () => {
        // A few segments while the deep run reads: enough to archive during it, few enough to keep the test short.
        for (let i = 0; archiving && i < 4; i++) {
          await writeRows(stack, 200);
          await switchWal(stack);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      })();
      let report: VerifyReport;
      try {
        report = await verifyRepository({ path: repoDir, deep: true });
      } finally {
        archiving = false;
        await load;
      }
      expect(errorsOf(report)).toEqual([]);
      expect(report.findings.every((f) => f.code === 'wal-in-flight')).toBe(true);
      expect((await segmentKeys()).length).toBeGreaterThan(before);
      expect(report.stanzas[0]!.backups.map((b) => b.restorable)).toEqual(manifests.map(() => true));
    });
  },
);
