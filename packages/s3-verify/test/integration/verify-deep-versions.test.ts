import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
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
import {
  comparePgBackRestVerify,
  exitCodeFor,
  type Finding,
  parsePgBackRestVerify,
  parseWalFileName,
  type VerifyReport,
  verifyRepository,
} from '../../src/index.js';
import { parseInfoFile } from '../../src/info-file.js';
import { manifestContent } from '../../src/manifest-files.js';
import { faultClient, listKeys, pgbackrest, verifyOptions, withoutObject } from './repository.js';

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

  beforeAll(async () => {
    if (skip !== undefined) return;
    s3 = await startS3Endpoint({ bucket: 'verify-block' });
    stack = await startContainerStack({
      image,
      repos: [
        { type: 'posix', options: { bundle: 'y', block: 'y' } },
        { type: 's3', endpoint: s3, path: s3Path, cipherPass, options: { bundle: 'y', block: 'y' } },
      ],
      options: { 'start-fast': 'y', 'archive-timeout': '120' },
    });
    repoDir = stack.repos[0]!.hostPath!;
    await pgbackrest(stack, 'stanza-create');
    for (const type of ['full', 'incr', 'incr']) {
      await writeRows(stack, 3_000);
      await switchWal(stack);
      for (const repo of [1, 2]) await pgbackrest(stack, 'backup', `--type=${type}`, `--repo=${repo}`);
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
          const theirs = async (name: string) => {
            const result = await stack!.exec(
              'pgbackrest',
              [`--stanza=${stack!.stanza}`, '--repo=2', '--log-level-console=info', '--output=text', 'verify'],
              { timeout: 240_000 },
            );
            const text = `${result.stdout}${result.stderr}`.replaceAll(stack!.stanza, 'demo');
            expect(text).not.toContain(cipherPass);
            expect(text).not.toContain(s3!.secretAccessKey);
            if (recordTo !== undefined) {
              await mkdir(recordTo, { recursive: true });
              await writeFile(join(recordTo, `s3-${name}-${version}.txt`), text);
            }
            return parsePgBackRestVerify(text);
          };
          const errors = (report: VerifyReport): Finding[] => report.findings.filter((f) => f.severity !== 'info');
          const segments = (await listKeys(client, s3!.bucket, `${s3Path.slice(1)}/archive/${stack!.stanza}/`)).filter(
            (k) => parseWalFileName(k.slice(k.lastIndexOf('/') + 1)).kind === 'segment',
          );
          const nameOf = (key: string) => key.slice(key.lastIndexOf('/') + 1, key.lastIndexOf('/') + 25);

          const healthy = await ours();
          const healthyTheirs = await theirs('healthy');
          expect(healthy.findings).toEqual([]);
          expect(healthyTheirs.status).toBe('ok');
          expect(comparePgBackRestVerify(healthy, healthyTheirs)).toEqual({
            agreed: [],
            missedByUs: [],
            missedByPgBackRest: [],
          });

          const flippedKey = segments[1]!;
          const [flipped, flippedTheirs] = await withoutObject(
            client,
            s3!.bucket,
            flippedKey,
            async () => [await ours(), await theirs('flipped-wal')] as const,
            (bytes) => {
              const copy = Buffer.from(bytes);
              const at = Math.floor(copy.length / 2);
              copy[at] = copy[at]! ^ 0xff;
              return copy;
            },
          );
          expect(errors(flipped).map((f) => f.where?.key)).toEqual([flippedKey]);
          expect(['wal-segment-corrupt', 'wal-segment-size-mismatch', 'wal-segment-checksum-mismatch']).toContain(
            errors(flipped)[0]!.code,
          );
          expect(flippedTheirs.status).toBe('error');
          expect(flippedTheirs.problems.map((p) => p.path)).toEqual([
            flippedKey.slice(`${s3Path.slice(1)}/archive/${stack!.stanza}/`.length),
          ]);
          const flippedComparison = comparePgBackRestVerify(flipped, flippedTheirs);
          expect(flippedComparison.missedByUs).toEqual([]);
          expect(flippedComparison.agreed.map((a) => a.ours.where?.key)).toEqual([flippedKey]);
          expect(flippedComparison.missedByPgBackRest).toEqual([]);

          // A segment no backup of this repository needs, behind the newest: pgBackRest does not call it an error.
          const info = JSON.parse(await pgbackrest(stack!, 'info', '--output=json', '--repo=2')) as Array<{
            backup: Array<{ archive: { start: string; stop: string } }>;
          }>;
          const needed = info[0]!.backup.map((b) => b.archive);
          const victim = segments
            .slice(0, -1)
            .find(
              (k) => nameOf(k) > needed[0]!.start && needed.every((r) => nameOf(k) < r.start || nameOf(k) > r.stop),
            )!;
          expect(victim).toBeDefined();
          const [gap, gapTheirs] = await withoutObject(
            client,
            s3!.bucket,
            victim,
            async () => [await ours(), await theirs('wal-gap')] as const,
          );
          const gapComparison = comparePgBackRestVerify(gap, gapTheirs);
          expect(gapComparison.missedByUs).toEqual([]);
          expect(gapComparison.missedByPgBackRest.map((f) => [f.code, f.where?.segments?.first])).toEqual([
            ['wal-missing', nameOf(victim)],
          ]);
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
