import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  type S3Endpoint,
  startS3Endpoint,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, parseWalFileName, summarizeReport, verifyRepository } from '../../src/index.js';
import { PosixStorage } from '../../src/posix-storage.js';
import { verifyReportSchema } from '../../src/schema.js';
import { copyRepository, pgbackrest, startRepositories, verifyOptions } from './repository.js';

const skip = await integrationGate(await probePgBackRest());

describe.skipIf(skip)(skip ?? 'verifyRepository on a posix repository written by pgBackRest 2.45', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let repoDir: string;
  let labels: string[];
  const s3Path = '/twin';

  const walKeys = async (root: string) => {
    const keys: string[] = [];
    for await (const page of new PosixStorage(root).list(`archive/${stack.stanza}/`)) {
      for (const o of page.objects)
        if (parseWalFileName(o.key.slice(o.key.lastIndexOf('/') + 1)).kind === 'segment') keys.push(o.key);
    }
    return keys;
  };

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-posix' });
    stack = await startRepositories([{ type: 'posix' }, { type: 's3', endpoint: s3, path: s3Path }]);
    repoDir = stack.repos[0]!.hostPath!;
    const info = JSON.parse(await pgbackrest(stack, 'info', '--output=json', '--repo=1')) as Array<{
      backup: Array<{ label: string }>;
    }>;
    labels = info[0]!.backup.map((b) => b.label);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it('reports a healthy posix repository with no findings, the same checks as in S3', async () => {
    const report = await verifyRepository({ path: repoDir });
    expect(report.findings).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
    expect(verifyReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.target).toEqual({ storage: 'posix', path: repoDir });
    expect(report.bucket).toBeNull();
    const [stanza] = report.stanzas;
    expect(stanza!.backups.map((b) => b.label)).toEqual(labels);
    expect(stanza!.backups.map((b) => b.type)).toEqual(['full', 'diff', 'incr']);
    expect(stanza!.backups.every((b) => b.manifest && b.manifestCopy && b.walComplete === true)).toBe(true);
    expect(stanza!.archives[0]!.segmentSize).toEqual({ bytes: 16 * 1024 * 1024, source: 'wal-header' });
    expect(summarizeReport(report)).toMatch(new RegExp(`^OK: ${repoDir}`));

    const twin = await verifyRepository(verifyOptions(s3, s3Path));
    expect(twin.findings).toEqual([]);
    const shape = (r: typeof report) => ({
      backups: r.stanzas[0]!.backups.map((b) => [b.type, b.manifest, b.manifestCopy, b.walComplete]),
      newest: r.stanzas[0]!.archives.map((a) => [a.archiveId, a.segmentSize, a.timelines.map((t) => t.newest)]),
      encrypted: r.stanzas[0]!.encrypted,
    });
    expect(shape(report)).toEqual(shape(twin));
  });

  it('lists every regular file once (the latest link is not followed)', async () => {
    const report = await verifyRepository({ path: repoDir });
    const storage = new PosixStorage(repoDir);
    let count = 0;
    for await (const page of storage.list('')) count += page.objects.length;
    expect(report.stanzas[0]!.objects).toBe(count);
    expect((await stat(join(repoDir, 'backup', stack.stanza, 'latest'))).isDirectory()).toBe(true);
  });

  it('reports a missing manifest by its path in the repository', async () => {
    const key = `backup/${stack.stanza}/${labels[1]}/backup.manifest`;
    await rename(join(repoDir, key), join(repoDir, `${key}.moved`));
    try {
      const report = await verifyRepository({ path: repoDir });
      expect(report.findings.map((f) => [f.code, f.where?.key])).toEqual([['backup-manifest-missing', key]]);
      expect(exitCodeFor(report)).toBe(1);
    } finally {
      await rename(join(repoDir, `${key}.moved`), join(repoDir, key));
    }
  });

  it('says a missing directory could not be verified', async () => {
    const report = await verifyRepository({ path: join(repoDir, 'nowhere') });
    expect(report.access).toMatchObject({ ok: false, code: 'path-not-found' });
    expect(exitCodeFor(report)).toBe(2);
  });

  it('reports a gap far behind the newest segment as missing although every object was written a moment ago', async () => {
    const copy = await copyRepository(repoDir);
    try {
      const keys = await walKeys(copy.path);
      const newest = Math.max(...(await Promise.all(keys.map(async (k) => (await stat(join(copy.path, k))).mtimeMs))));
      expect(Date.now() - newest).toBeLessThan(60_000);
      const victim = keys[1]!;
      expect(keys.length - 2).toBeGreaterThan(8);
      await rm(join(copy.path, victim));
      const report = await verifyRepository({ path: copy.path });
      const name = victim.slice(victim.lastIndexOf('/') + 1, victim.lastIndexOf('/') + 25);
      const gaps = report.findings.filter((f) => f.code === 'wal-missing' || f.code === 'wal-in-flight');
      expect(gaps.map((f) => [f.code, f.where?.segments?.first])).toEqual([['wal-missing', name]]);
      expect(report.stanzas[0]!.archives[0]!.unrecoverable.map((r) => r.missing.first)).toEqual([name]);
      expect(exitCodeFor(report)).toBe(1);
    } finally {
      await copy.remove();
    }
  });
});
