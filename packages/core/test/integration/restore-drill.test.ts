import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DrillRefusedError,
  type DrillReport,
  isDrillError,
  RecoveryTargetNotReachedError,
  runRestoreDrill,
} from '../../src/drill/index.js';
import { isPgBackRestError } from '../../src/errors/index.js';
import { runProcess } from '../../src/exec/process.js';
import {
  createStackClient,
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  type S3Endpoint,
  startNativeStack,
  startS3Endpoint,
  switchWal,
} from '../../src/testing/index.js';
import {
  markerChecks,
  postgresOwnedRoot,
  processesOn,
  sleep,
  writeMarkersAroundTarget,
} from './support/drill-fixture.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());
const cipherPass = `drill-${Math.random().toString(36).slice(2)}`;

const markers = (report: DrillReport) => Object.fromEntries(report.checks.map((c) => [c.name, c.status]));

describe.skipIf(skip)(skip ?? 'runRestoreDrill restores, starts, checks and removes a drill cluster', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let root: string;
  let target: string;
  let firstFull: string;

  const client = () => createStackClient(stack, { timeout: 300_000 });
  const scratch = (name: string) => join(root, name);
  const checks = markerChecks;

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'drill' });
    stack = await startNativeStack({
      repos: [{ type: 'posix' }, { type: 's3', endpoint: s3, cipherPass }],
      options: { 'start-fast': 'y', 'archive-timeout': '60' },
    });
    root = await postgresOwnedRoot('chronos-drill-test-');
    const c = client();
    await c.stanzaCreate();
    await c.backup({ type: 'full' });
    firstFull = (await c.info())[0]!.backup.at(-1)!.label;
    await c.backup({ type: 'full', repo: 2 });
    target = await writeMarkersAroundTarget(stack);
    await c.check();
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.each([1, 2])(
    'from repo%i proves the rows before the target and none after, then removes everything',
    async (repo) => {
      const dir = scratch(`repo${repo}`);
      const report = await runRestoreDrill({
        client: client(),
        scratch: dir,
        target: { type: 'time', time: target, repo },
        checks,
      });
      expect(report.outcome).toBe('proven');
      expect(report.repo).toBe(repo);
      expect(markers(report)).toEqual({
        'rows before the target': 'passed',
        'no row after the target': 'passed',
        pg_amcheck: 'passed',
      });
      expect(report.rpo.lastReplayedCommit).not.toBeNull();
      expect(Date.parse(report.rpo.lastReplayedCommit!)).toBeLessThanOrEqual(Date.parse(target));
      expect(report.timings.rtoSeconds).toBeGreaterThan(0);
      expect(existsSync(dir)).toBe(false);
      expect(await processesOn(dir)).toEqual([]);
      expect(JSON.stringify(report)).not.toContain(cipherPass);
    },
    600_000,
  );

  it('reports a failing SQL check by name (outcome check-failed)', async () => {
    const report = await runRestoreDrill({
      client: client(),
      scratch: scratch('failing'),
      target: { type: 'time', time: target },
      checks: [
        {
          name: 'the after row',
          sql: "SELECT 1 FROM drill_marker WHERE phase = 'after'",
          expect: { kind: 'row-exists' },
        },
      ],
      amcheck: false,
    });
    expect(report.outcome).toBe('check-failed');
    expect(report.checksFailed).toBe(1);
    expect(report.checks[0]).toMatchObject({
      name: 'the after row',
      status: 'failed',
      detail: expect.stringMatching(/no row/),
    });
    expect(existsSync(scratch('failing'))).toBe(false);
  }, 600_000);

  it('lists the catalogue differences with production (a table created after the target)', async () => {
    await stack.psql('CREATE TABLE created_after_target (id int)');
    try {
      const report = await runRestoreDrill({
        client: client(),
        scratch: scratch('catalogue'),
        target: { type: 'time', time: target },
        production: {
          host: stack.pg.socketPath,
          port: stack.pg.port,
          psql: `/usr/lib/postgresql/${stack.pgMajor}/bin/psql`,
        },
        amcheck: false,
      });
      const catalogue = report.checks.find((c) => c.name === 'catalogue');
      expect(catalogue?.status).toBe('failed');
      expect(catalogue?.detail).toBe('1 differences: missing in the drill: table postgres.public.created_after_target');
      expect(report.outcome).toBe('check-failed');
    } finally {
      await stack.psql('DROP TABLE created_after_target');
    }
  }, 600_000);

  it("refuses the cluster's own data directory before anything runs", async () => {
    const before = await stack.psql('SELECT pg_postmaster_start_time()');
    const error = await runRestoreDrill({ client: client(), scratch: stack.pg.dataPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrillRefusedError);
    expect((error as Error).message).toMatch(/data directory/);
    expect(await stack.psql('SELECT pg_postmaster_start_time()')).toBe(before);
    expect(existsSync(join(stack.pg.dataPath, 'PG_VERSION'))).toBe(true);
  });

  it('refuses a directory holding a live postmaster.pid, and leaves it as it was', async () => {
    const dir = scratch('live');
    await mkdir(dir);
    const pid = (await stack.exec('head', ['-n', '1', join(stack.pg.dataPath, 'postmaster.pid')])).stdout.trim();
    await writeFile(join(dir, 'postmaster.pid'), `${pid}\n`);
    const error = await runRestoreDrill({ client: client(), scratch: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrillRefusedError);
    expect((error as Error).message).toMatch(new RegExp(`running PostgreSQL .*process ${pid}`));
    expect(await readdir(dir)).toEqual(['postmaster.pid']);
  });

  it('fails naming the cause when a data file of the backup was damaged in the repository', async () => {
    const c = client();
    await c.backup({ type: 'full' });
    const base = join(stack.repoPaths[0]!, 'backup', stack.stanza, firstFull, 'pg_data', 'base');
    const find = await runProcess({ file: 'find', args: [base, '-type', 'f', '-size', '+8k'] });
    const victim = find.stdout.split('\n').filter(Boolean).sort()[0]!;
    ensureSuccess(
      'damage',
      await runProcess({
        file: 'dd',
        args: ['if=/dev/urandom', `of=${victim}`, 'bs=1', 'count=64', 'seek=200', 'conv=notrunc'],
      }),
    );
    const dir = scratch('damaged');
    const error = await runRestoreDrill({
      client: client(),
      scratch: dir,
      target: { type: 'immediate', set: firstFull, repo: 1 },
    }).catch((e: unknown) => e);
    // pgBackRest 2.45 reports the damage as a decompression (or checksum) failure of the backup set's file.
    expect(isDrillError(error) && error.stage).toBe('restore');
    expect((error as Error).message).toContain(`backup set ${firstFull} from repo1`);
    expect((error as Error).message).toMatch(/zlib|checksum|decompress/i);
    expect(isPgBackRestError((error as Error).cause)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(await processesOn(dir)).toEqual([]);
  }, 600_000);

  it('throws RecoveryTargetNotReachedError at a WAL gap before the target', async () => {
    const c = client();
    await c.backup({ type: 'full', repo: 1 });
    await stack.psql("INSERT INTO drill_marker VALUES ('gap')");
    const gap = await switchWal(stack);
    await stack.psql("INSERT INTO drill_marker VALUES ('past-gap')");
    await switchWal(stack);
    await sleep(1_200);
    const late = (
      await stack.psql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
    ).trim();
    await stack.psql("INSERT INTO drill_marker VALUES ('later')");
    await c.check();
    const archive = join(stack.repoPaths[0]!, 'archive', stack.stanza);
    const found = await runProcess({ file: 'find', args: [archive, '-name', `${gap}-*`] });
    const segment = found.stdout.trim().split('\n')[0]!;
    expect(segment).toContain(gap);
    await rm(segment);
    const dir = scratch('gap');
    const error = await runRestoreDrill({
      client: client(),
      scratch: dir,
      target: { type: 'time', time: late, repo: 1 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecoveryTargetNotReachedError);
    expect((error as RecoveryTargetNotReachedError).lastReplayedLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect((error as Error).message).toMatch(/recovery ended before configured recovery target was reached/);
    expect(existsSync(dir)).toBe(false);
    expect(await processesOn(dir)).toEqual([]);
  }, 600_000);
});
