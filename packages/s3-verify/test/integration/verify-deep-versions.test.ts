import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  type S3Endpoint,
  startContainerStack,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, verifyRepository } from '../../src/index.js';
import { parseInfoFile } from '../../src/info-file.js';
import { manifestContent } from '../../src/manifest-files.js';
import { faultClient, listKeys, pgbackrest, verifyOptions, withoutObject } from './repository.js';
import {
  backupWalRanges,
  expectBothClean,
  expectCoversPgBackRest,
  expectFlipsNamed,
  flipMiddle,
  isSegmentKey,
  posixSegmentKeys,
  segmentNameOf,
  segmentNoBackupNeeds,
  theirVerify,
  withChangedFile,
} from './side-by-side.js';

// Block incremental (repo-block) exists from pgBackRest 2.50: its raw bundles and .pgbi maps are version-specific.
const images = ['chronos-pg:17-2.55.1', 'chronos-pg:18-2.60.0'];
const docker = await probeDocker();
/** When set, pgBackRest verify's output is written there (to refresh test/fixtures/pgbackrest-verify), on every image. */
const recordTo = process.env['CHRONOS_RECORD_VERIFY_OUTPUT'];
const cipherPass = `throwaway-${randomBytes(12).toString('hex')}`;
const skips = new Map<string, string | undefined>();
for (const image of images) {
  skips.set(image, await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker])));
}

describe.each(images)('deep verification of a block-incremental repository written by %s', (image) => {
  const skip = skips.get(image);
  let s3: S3Endpoint | undefined;
  let stack: PgBackRestStack | undefined;
  let repoDir: string;
  const s3Path = '/block';
  const segmentKeys = () => posixSegmentKeys(repoDir, stack!.stanza);

  beforeAll(async () => {
    if (skip !== undefined) return;
    s3 = await startS3Endpoint({ bucket: 'verify-block' });
    stack = await startContainerStack({
      image,
      repos: [
        { type: 'posix', options: { bundle: 'y', block: 'y' } },
        { type: 's3', endpoint: s3, path: s3Path, cipherPass, options: { bundle: 'y', block: 'y' } },
      ],
      options: { 'start-fast': 'y', 'archive-timeout': '120', 'compress-type': 'gz' },
    });
    repoDir = stack.repos[0]!.hostPath!;
    await pgbackrest(stack, 'stanza-create');
    for (const type of ['full', 'incr', 'incr']) {
      await writeRows(stack, 3_000);
      await switchWal(stack);
      for (const repo of [1, 2]) await pgbackrest(stack, 'backup', `--type=${type}`, `--repo=${repo}`);
    }
    // archive-push reads pgbackrest.conf on every call: the segment each check closes (and waits for) is pushed
    // with lz4, then with bz2.
    for (const compress of ['lz4', 'bz2']) {
      const config = ensureSuccess('read pgbackrest.conf', await stack.exec('cat', [stack.configPath])).stdout;
      const next = config.replace(/^compress-type=\w+$/m, `compress-type=${compress}`);
      expect(next).not.toBe(config);
      ensureSuccess(
        'write pgbackrest.conf',
        await stack.exec('sh', ['-c', 'cat > "$1"', 'sh', stack.configPath], { input: next }),
      );
      await pgbackrest(stack, 'check');
    }
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it.skipIf(skip !== undefined)(
    'finds nothing wrong in healthy posix and encrypted S3 repositories with block-incremental files',
    async () => {
      const posix = await verifyRepository({ path: repoDir, deep: true });
      expect(posix.findings).toEqual([]);
      expect(exitCodeFor(posix)).toBe(0);
      const deep = posix.stanzas[0]!.deep!;
      expect(deep.files).toBeGreaterThan(100);
      expect(deep.segments).toBeGreaterThan(3);
      expect(posix.stanzas[0]!.backups.every((b) => b.restorable === true)).toBe(true);
      const blockFiles = { stored: 0, unproven: 0 };
      for (const backup of posix.stanzas[0]!.backups) {
        const text = await readFile(join(repoDir, 'backup', stack!.stanza, backup.label, 'backup.manifest'), 'utf8');
        for (const file of manifestContent(parseInfoFile(text)).files) {
          if (!file.blockIncremental) continue;
          if (file.repoChecksum === undefined) blockFiles.unproven++;
          else if (file.reference === undefined) blockFiles.stored++;
        }
      }
      expect(blockFiles.stored).toBeGreaterThan(0);
      expect(deep.notProven.reduce((n, p) => n + p.files, 0)).toBe(blockFiles.unproven);
      expect(new Set((await segmentKeys()).map((k) => k.slice(k.lastIndexOf('.') + 1)))).toEqual(
        new Set(['gz', 'lz4', 'bz2']),
      );
      expectBothClean(posix, await theirVerify(stack!, { repo: 1 }));

      process.env['S3_VERIFY_BLOCK_PASS'] = cipherPass;
      try {
        const encrypted = await verifyRepository(
          verifyOptions(s3!, s3Path, { deep: true, cipherPassphrase: { env: 'S3_VERIFY_BLOCK_PASS' } }),
        );
        expect(encrypted.findings).toEqual([]);
        expect(encrypted.stanzas[0]!.deep!.files).toBe(deep.files);
      } finally {
        delete process.env['S3_VERIFY_BLOCK_PASS'];
      }
    },
  );

  // The lz4 and bz2 encoders of each release write these segments: a flipped byte in each is named, by both sides.
  it.skipIf(skip !== undefined)(
    'names an lz4 and a bz2 WAL segment with a flipped byte each, as pgBackRest does',
    async () => {
      const all = await segmentKeys();
      const keys = ['lz4', 'bz2'].map((ext) => all.find((k) => k.endsWith(`.${ext}`))!);
      const [report, theirs] = await withChangedFile(repoDir, keys[0]!, flipMiddle, () =>
        withChangedFile(
          repoDir,
          keys[1]!,
          flipMiddle,
          async () =>
            [await verifyRepository({ path: repoDir, deep: true }), await theirVerify(stack!, { repo: 1 })] as const,
        ),
      );
      expectFlipsNamed(report, theirs, keys, 'wal-segment', stack!.stanza);
      expect(exitCodeFor(report)).toBe(1);
    },
  );

  it.skipIf(skip !== undefined)('names the object and file when a byte of a bundled file is flipped', async () => {
    const labels = (
      JSON.parse(await pgbackrest(stack!, 'info', '--output=json', '--repo=1')) as Array<{
        backup: Array<{ label: string }>;
      }>
    )[0]!.backup.map((b) => b.label);
    const manifest = manifestContent(
      parseInfoFile(await readFile(join(repoDir, 'backup', stack!.stanza, labels[0]!, 'backup.manifest'), 'utf8')),
    );
    const victim = manifest.files
      .filter((f) => f.bundleId !== undefined && f.repoSize > 64)
      .sort((a, b) => b.repoSize - a.repoSize)[0]!;
    const key = `backup/${stack!.stanza}/${labels[0]}/bundle/${victim.bundleId}`;
    const path = join(repoDir, key);
    const original = await readFile(path);
    const damaged = Buffer.from(original);
    const at = victim.bundleOffset + Math.floor(victim.repoSize / 2);
    damaged[at] = damaged[at]! ^ 0xff;
    await writeFile(path, damaged);
    try {
      const report = await verifyRepository({ path: repoDir, deep: true });
      const errors = report.findings.filter((f) => f.severity !== 'info');
      expect(errors.map((f) => [f.where?.key, f.where?.file])).toEqual([[key, victim.name]]);
      expect(['backup-file-corrupt', 'backup-file-checksum-mismatch']).toContain(errors[0]!.code);
      expect(exitCodeFor(report)).toBe(1);
    } finally {
      await writeFile(path, original);
    }
  });

  // pgBackRest's verify prints the same text on 2.55.1 and 2.60.0 (recorded, see the unit tests): one image is enough.
  if (image === images[0] || recordTo !== undefined) {
    it.skipIf(skip !== undefined)(
      'finds everything pgbackrest verify finds in encrypted S3, and lists the gap it misses',
      async () => {
        const version = image.slice(image.lastIndexOf('-') + 1);
        const client = faultClient(s3!);
        process.env['S3_VERIFY_BLOCK_PASS'] = cipherPass;
        try {
          const ours = () =>
            verifyRepository(
              verifyOptions(s3!, s3Path, {
                deep: true,
                gracePeriodSeconds: 0,
                cipherPassphrase: { env: 'S3_VERIFY_BLOCK_PASS' },
              }),
            );
          const theirs = (name: string) =>
            theirVerify(stack!, {
              repo: 2,
              recordAs: `s3-${name}-${version}`,
              secrets: [cipherPass, s3!.secretAccessKey],
            });
          const segments = (await listKeys(client, s3!.bucket, `${s3Path.slice(1)}/archive/${stack!.stanza}/`)).filter(
            isSegmentKey,
          );

          expectBothClean(await ours(), await theirs('healthy'));

          const flippedKey = segments[1]!;
          const [flipped, flippedTheirs] = await withoutObject(
            client,
            s3!.bucket,
            flippedKey,
            async () => [await ours(), await theirs('flipped-wal')] as const,
            (bytes) => flipMiddle(Buffer.from(bytes)),
          );
          expectFlipsNamed(flipped, flippedTheirs, [flippedKey], 'wal-segment', stack!.stanza);

          // A segment no backup of this repository needs, behind the newest: pgBackRest does not call it an error.
          const victim = segmentNoBackupNeeds(segments, await backupWalRanges(stack!, 2));
          const [gap, gapTheirs] = await withoutObject(
            client,
            s3!.bucket,
            victim,
            async () => [await ours(), await theirs('wal-gap')] as const,
          );
          expectCoversPgBackRest(gap, gapTheirs, {
            agreed: [],
            missedByPgBackRest: [['wal-missing', segmentNameOf(victim)]],
          });
          expect(exitCodeFor(gap)).toBe(1);
        } finally {
          delete process.env['S3_VERIFY_BLOCK_PASS'];
          client.destroy();
        }
      },
    );
  }

  // Bundles on S3 are not version-specific: one image is enough (the test exists for that image only).
  if (image === images[0]) {
    it.skipIf(skip !== undefined)(
      'names a bundle in encrypted S3 with a flipped byte, and a deleted one, each alone',
      async () => {
        const client = faultClient(s3!);
        process.env['S3_VERIFY_BLOCK_PASS'] = cipherPass;
        try {
          const deepS3 = () =>
            verifyRepository(
              verifyOptions(s3!, s3Path, { deep: true, cipherPassphrase: { env: 'S3_VERIFY_BLOCK_PASS' } }),
            );
          const bundles = (await listKeys(client, s3!.bucket, `${s3Path.slice(1)}/backup/${stack!.stanza}/`)).filter(
            (k) => /\/bundle\/\d+$/.test(k),
          );
          expect(bundles.length).toBeGreaterThan(1);
          const key = bundles[0]!;
          const errors = (report: Awaited<ReturnType<typeof deepS3>>) =>
            report.findings.filter((f) => f.severity !== 'info');

          const flipped = await withoutObject(client, s3!.bucket, key, deepS3, (bytes) => {
            const copy = Buffer.from(bytes);
            const at = Math.floor(copy.length / 2);
            copy[at] = copy[at]! ^ 0xff;
            return copy;
          });
          expect(errors(flipped).map((f) => f.where?.key)).toEqual([key]);
          expect(['backup-file-corrupt', 'backup-file-checksum-mismatch']).toContain(errors(flipped)[0]!.code);
          expect(exitCodeFor(flipped)).toBe(1);

          const gone = await withoutObject(client, s3!.bucket, key, deepS3);
          expect(errors(gone).map((f) => [f.code, f.where?.key])).toEqual([['backup-file-missing', key]]);
          expect(gone.stanzas[0]!.backups.some((b) => b.restorable === false)).toBe(true);
        } finally {
          delete process.env['S3_VERIFY_BLOCK_PASS'];
          client.destroy();
        }
      },
    );
  }
});
