import { randomBytes } from 'node:crypto';
import {
  integrationGate,
  type PgBackRestStack,
  probePgBackRest,
  type S3Endpoint,
  startNativeStack,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRepository } from '../../src/index.js';
import { verifyReportSchema } from '../../src/schema.js';
import { pgbackrest, verifyOptions } from './repository.js';

const skip = await integrationGate(await probePgBackRest());
const cipherPass = `throwaway-${randomBytes(12).toString('hex')}`;

describe.skipIf(skip)(skip ?? 'the newest restorable instant of an encrypted S3 repository (PostgreSQL 15)', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let committed: { xid: number; at: Date; before: number; after: number };
  let checkpointAt: string;
  let lastSegment: string;
  const path = '/instant';

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'verify-instant' });
    stack = await startNativeStack({
      repos: [{ type: 's3', endpoint: s3, path, cipherPass }],
      pgSettings: { track_commit_timestamp: 'on' },
      options: { 'archive-timeout': '120' },
    });
    await pgbackrest(stack, 'stanza-create');
    await writeRows(stack, 500);
    await stack.psql('CHECKPOINT');
    checkpointAt = (
      await stack.psql(
        `SELECT to_char(checkpoint_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"') FROM pg_control_checkpoint()`,
      )
    ).trim();
    const before = Date.now();
    await writeRows(stack, 10);
    const after = Date.now();
    const [xid, at] = (
      await stack.psql(
        `SELECT xid, to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM pg_last_committed_xact()`,
      )
    )
      .trim()
      .split('|');
    committed = { xid: Number(xid), at: new Date(at!), before, after };
    lastSegment = await switchWal(stack);
    // Not `pgbackrest check`: it would switch to a newer segment of its own.
    for (let i = 0; i < 120; i++) {
      if ((await stack.psql('SELECT last_archived_wal FROM pg_stat_archiver')).trim() === lastSegment) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it('reports the time of the last commit and of the last checkpoint held by the newest archived WAL', async () => {
    const report = await verifyRepository(
      verifyOptions(s3, path, { cipherPassphrase: { value: cipherPass }, newestInstant: true }),
    );
    expect(verifyReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    const instant = report.stanzas[0]!.newestRestorableInstant!;
    expect(instant.newestSegment).toBe(lastSegment);
    expect(instant.timeline).toBe(1);
    expect(instant.lastCommit?.segment).toBe(lastSegment);
    expect(instant.lastCommit?.xid).toBe(committed.xid);
    expect(instant.lastCommit?.at).toBe(committed.at.toISOString());
    const at = Date.parse(instant.lastCommit!.at);
    expect(at).toBeGreaterThanOrEqual(committed.before - 1000);
    expect(at).toBeLessThanOrEqual(committed.after + 1000);
    expect(instant.lastCheckpoint?.at).toBe(checkpointAt);
    expect(instant.damagedRecords).toBe(0);
  });

  it('reads no WAL records in the shallow mode unless asked', async () => {
    const report = await verifyRepository(verifyOptions(s3, path, { cipherPassphrase: { value: cipherPass } }));
    expect(report.stanzas[0]!.newestRestorableInstant).toBeNull();
  });
});
