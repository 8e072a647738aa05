import type { S3Client } from '@aws-sdk/client-s3';
import {
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  type S3Endpoint,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, parseWalFileName, summarizeReport, verifyRepository } from '../../src/index.js';
import { verifyReportSchema } from '../../src/schema.js';
import {
  faultClient,
  listKeys,
  pgbackrest,
  restoreAndPromote,
  startRepository,
  verifyOptions,
  withoutObject,
} from './repository.js';
import { branchLater, expectHistoryMissing, expectHistoryRewritten, theirVerify } from './side-by-side.js';

const skip = await integrationGate(await probePgBackRest());
const repoPath = '/plain-repo';

describe.skipIf(skip)(skip ?? 'verifyRepository on an unencrypted repository written by pgBackRest 2.45', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let client: S3Client;
  let info: Array<{ backup: Array<{ label: string; archive: { start: string; stop: string } }> }>;
  const prefix = () => `plain-repo/`;
  const segments = async () =>
    (await listKeys(client, s3.bucket, `${prefix()}archive/${stack.stanza}/`)).filter(
      (k) => parseWalFileName(k.slice(k.lastIndexOf('/') + 1)).kind === 'segment',
    );

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-plain' });
    client = faultClient(s3);
    stack = await startRepository(s3, repoPath);
    info = JSON.parse(await pgbackrest(stack, 'info', '--output=json'));
  }, 600_000);

  afterAll(async () => {
    client?.destroy();
    await stack?.stop();
    await s3?.stop();
  });

  it('reports a healthy repository with no findings, exit code 0 and a valid schema', async () => {
    const report = await verifyRepository(verifyOptions(s3, repoPath));
    expect(report.findings).toEqual([]);
    expect(report.outcome).toBe('ok');
    expect(exitCodeFor(report)).toBe(0);
    expect(verifyReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    const [stanza] = report.stanzas;
    expect(stanza!.name).toBe(stack.stanza);
    expect(stanza!.encrypted).toBe(false);
    expect(stanza!.backups.map((b) => b.label)).toEqual(info[0]!.backup.map((b) => b.label));
    expect(stanza!.backups.every((b) => b.manifest && b.manifestCopy && b.walComplete === true)).toBe(true);
    expect(stanza!.archives[0]!.segmentSize).toEqual({ bytes: 16 * 1024 * 1024, source: 'wal-header' });
    expect(stanza!.archives[0]!.checked[0]!.first).toBe(info[0]!.backup[0]!.archive.start);
    const keys = await listKeys(client, s3.bucket, prefix());
    expect(stanza!.objects).toBe(keys.length);
    expect(stanza!.encryptionSample.checked).toBeGreaterThan(2);
    expect(stanza!.encryptionSample.salted).toBe(0);
    expect(report.cost.assumption).toContain('ca-central-1');
    expect(report.cost.monthly).toBeCloseTo((stanza!.bytes / 1024 ** 3) * 0.025, 12);
    expect(report.bucket).not.toBeNull();
    expect(summarizeReport(report)).toMatch(/^OK: s3:\/\/verify-plain\/plain-repo/);
  });

  it('stays clean while WAL is being archived', async () => {
    const writing = (async () => {
      for (let i = 0; i < 4; i++) {
        await writeRows(stack, 500);
        await switchWal(stack);
      }
    })();
    const report = await verifyRepository(verifyOptions(s3, repoPath));
    await writing;
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
  });

  it('lists a segment deleted from the middle of the archive as a missing range', async () => {
    await pgbackrest(stack, 'check');
    const all = await segments();
    const needed = new Set(info[0]!.backup.flatMap((b) => [b.archive.start, b.archive.stop]));
    const victim = all.slice(1, -1).find((k) => !needed.has(k.slice(k.lastIndexOf('/') + 1, k.lastIndexOf('/') + 25)))!;
    const name = victim.slice(victim.lastIndexOf('/') + 1, victim.lastIndexOf('/') + 25);
    const report = await withoutObject(client, s3.bucket, victim, () =>
      verifyRepository(verifyOptions(s3, repoPath, { gracePeriodSeconds: 0 })),
    );
    expect(report.findings.map((f) => f.code)).toEqual(['wal-missing']);
    expect(report.findings[0]!.where?.segments).toEqual({ timeline: 1, first: name, last: name, count: 1 });
    expect(exitCodeFor(report)).toBe(1);
  });

  it('reports a deleted manifest', async () => {
    const label = info[0]!.backup[1]!.label;
    const key = `${prefix()}backup/${stack.stanza}/${label}/backup.manifest`;
    const report = await withoutObject(client, s3.bucket, key, () => verifyRepository(verifyOptions(s3, repoPath)));
    expect(report.findings.map((f) => [f.code, f.where?.label])).toEqual([['backup-manifest-missing', label]]);
    expect(report.stanzas[0]!.backups.find((b) => b.label === label)?.manifest).toBe(false);
    expect(exitCodeFor(report)).toBe(1);
  });

  it('reports a corrupted backup.info and keeps verifying from its intact copy', async () => {
    const key = `${prefix()}backup/${stack.stanza}/backup.info`;
    const report = await withoutObject(
      client,
      s3.bucket,
      key,
      () => verifyRepository(verifyOptions(s3, repoPath)),
      (bytes) =>
        Buffer.from(Buffer.from(bytes).toString('utf8').replace('"backup-error":false', '"backup-error":true')),
    );
    expect(report.findings.map((f) => [f.code, f.where?.key])).toEqual([['info-checksum-mismatch', key]]);
    expect(report.stanzas[0]!.verified).toBe(true);
    expect(report.stanzas[0]!.backups).toHaveLength(info[0]!.backup.length);
    expect(exitCodeFor(report)).toBe(1);
  });

  it('follows the timeline switch of a PITR restore that promoted', async () => {
    await restoreAndPromote(stack);
    const report = await verifyRepository(verifyOptions(s3, repoPath));
    expect(report.findings).toEqual([]);
    const archive = report.stanzas[0]!.archives[0]!;
    expect(archive.timelines.map((t) => t.timeline)).toEqual([1, 2]);
    expect(archive.checked.map((r) => r.timeline)).toEqual([1, 2]);

    const history = `${prefix()}archive/${stack.stanza}/${archive.archiveId}/00000002.history`;
    // Each damage is also read by the deep verification and by pgBackRest's verify, side by side.
    const allThree = async (recordAs: string) =>
      [
        await verifyRepository(verifyOptions(s3, repoPath)),
        await verifyRepository(verifyOptions(s3, repoPath, { deep: true })),
        await theirVerify(stack, { recordAs, secrets: [s3.secretAccessKey] }),
      ] as const;
    expectHistoryMissing(
      await withoutObject(client, s3.bucket, history, () => allThree('s3-history-missing-2.45')),
      history,
      archive.archiveId,
    );
    // The history of another restore: timeline 2 said to branch from timeline 1 far after the WAL it holds.
    expectHistoryRewritten(
      await withoutObject(client, s3.bucket, history, () => allThree('s3-history-rewritten-2.45'), branchLater),
      history,
    );
  });
});
