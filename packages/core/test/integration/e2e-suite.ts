import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, verifyRepository } from '../../../s3-verify/src/index.js';
import { analyzeInfo, type StanzaAnalysis } from '../../src/analysis/index.js';
import type { PgBackRestClient } from '../../src/client/index.js';
import type { LogEvent } from '../../src/exec/index.js';
import type { Info } from '../../src/info/index.js';
import type { RestoreTarget } from '../../src/pitr/index.js';
import { evaluatePolicy } from '../../src/policy/index.js';
import { parseExpireLog, type RetentionPolicy, retentionToOptions, simulateExpire } from '../../src/retention/index.js';
import {
  createRestorePoint,
  createStackClient,
  drillStack,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  type S3Endpoint,
  startContainerStack,
  startS3Endpoint,
  switchWal,
  writeRows,
} from '../../src/testing/index.js';
import {
  ArgvWatch,
  databaseTime,
  type E2E_IMAGES,
  layoutPolicy,
  sleep,
  Transcript,
  verifyOptions,
  WAL_SEGMENT_SIZE,
} from './e2e-steps.js';

type Image = (typeof E2E_IMAGES)[number];

/**
 * The end-to-end suite on one image: a stack with a posix repo1 and an encrypted S3 repo2 (3-2-1 with
 * production), every backup type to both, info analysed, retention simulated against pgBackRest's own
 * dry run, the policy evaluated, the S3 repository verified independently, and three PITR restores.
 */
export async function endToEnd({ image, pgMajor, pgBackRest }: Image): Promise<void> {
  const docker = await probeDocker();
  const skip = await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker]));
  const cipherPass = `e2e-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

  describe.skipIf(skip)(skip ?? `end to end on ${image}`, () => {
    let s3: S3Endpoint;
    let stack: PgBackRestStack;
    let client: PgBackRestClient;
    let info: Info;
    let stanza: StanzaAnalysis;
    const transcript = new Transcript();
    const argv = new ArgvWatch([cipherPass]);
    const started = Date.now();
    const marks: Record<string, string> = {};

    beforeAll(async () => {
      argv.start();
      s3 = await startS3Endpoint({ bucket: `e2e-${pgMajor}` });
      stack = await startContainerStack({
        image,
        repos: [{ type: 'posix' }, { type: 's3', endpoint: s3, cipherPass }],
        options: { 'start-fast': 'y', 'compress-type': 'lz4', 'process-max': '2', 'archive-timeout': '60' },
      });
      client = createStackClient(stack, {
        timeout: 180_000,
        onLog: (event: LogEvent) => transcript.add(event.message),
      });
    }, 300_000);

    afterAll(async () => {
      argv.stop();
      await stack?.stop();
      await s3?.stop();
      console.info(`e2e ${image}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    it('runs the image’s versions and creates and checks the stanza', async () => {
      expect(stack.pgMajor).toBe(pgMajor);
      expect((await client.version()).version).toBe(pgBackRest);
      transcript.add(await client.stanzaCreate());
      await writeRows(stack, 1_000);
      // The stack's own ready client reaches the same stanza.
      transcript.add(await stack.client.check());
    });

    it('backs up full, diff and incr to the posix and the encrypted S3 repository', async () => {
      for (const type of ['full', 'diff', 'incr'] as const) {
        await writeRows(stack, 500);
        for (const repo of [1, 2]) transcript.add(await client.backup({ type, repo }));
      }
      info = await client.info();
      transcript.add(info);
      const [only] = info;
      expect(only?.status.code).toBe(0);
      expect(only?.cipher).toBe('mixed');
      expect(only?.repo?.map((r) => [r.key, r.cipher, r.status.code])).toEqual([
        [1, 'none', 0],
        [2, 'aes-256-cbc', 0],
      ]);
    });

    it('analyses info: one chain per repository, latest per type, a recovery window', async () => {
      const analysis = analyzeInfo(info, { now: new Date() });
      stanza = analysis.stanzas[0]!;
      expect(stanza.name).toBe(stack.stanza);
      expect(stanza.databases.map((d) => [d.repoKey, d.pgVersion])).toEqual([
        [1, String(pgMajor)],
        [2, String(pgMajor)],
      ]);
      for (const repo of stanza.repositories) {
        expect(repo.backups.map((b) => b.type)).toEqual(['full', 'diff', 'incr']);
        const [full, diff, incr] = repo.backups;
        expect(repo.chains).toHaveLength(1);
        expect(repo.chains[0]?.full.label).toBe(full?.label);
        expect(repo.chains[0]?.dependents.map((b) => b.label)).toEqual([diff?.label, incr?.label]);
        expect(diff?.prior).toBe(full?.label);
        expect(incr?.prior).toBe(diff?.label);
        expect(repo.orphans).toEqual([]);
        expect(repo.latest.full?.label).toBe(full?.label);
        expect(repo.latest.diff?.label).toBe(diff?.label);
        expect(repo.latest.incr?.label).toBe(incr?.label);
        expect(repo.backups.every((b) => b.walInArchive && b.fullLabel === full?.label)).toBe(true);
        expect(repo.recoveryWindow.earliest).toEqual(full?.stoppedAt);
        expect(repo.recoveryWindow.latestBackupStop).toEqual(incr?.stoppedAt);
        expect(repo.recoveryWindow.newestWal).toBe(repo.archives[0]?.max);
      }
      expect(stanza.repositories[1]?.cipher).toBe('aes-256-cbc');
    });

    it('simulates expire exactly as pgbackrest expire --dry-run decides', async () => {
      const policies: RetentionPolicy[] = [
        { full: 1 },
        { full: 1, diff: 1 },
        { full: 1, archive: 1, archiveType: 'incr' },
      ];
      for (const retention of policies) {
        for (const repo of stanza.repositories) {
          const result = await client.expire({
            ...numericOptions(retentionToOptions(retention, repo.key)),
            repo: repo.key,
            'dry-run': true,
            'log-level-console': 'detail',
          } as never);
          transcript.add(result.stdout, result.stderr);
          const log = parseExpireLog(result.stdout);
          expect(log.length).toBeGreaterThan(0);
          expect(log.every((e) => e.dryRun)).toBe(true);
          const simulation = simulateExpire(repo, retention, { now: new Date(), walSegmentSize: WAL_SEGMENT_SIZE });
          const removed = log.flatMap((e) => (e.kind === 'remove-backup' ? [e.label] : [])).sort();
          const wal = log.flatMap((e) => (e.kind === 'remove-archive' ? [[e.archiveId, e.start, e.stop]] : []));
          expect(simulation.expiredLabels).toEqual(removed);
          expect(simulation.expiredWal.map((w) => [w.archiveId, w.start, w.stop])).toEqual(wal);
        }
      }
      // Nothing was removed for real.
      expect((await client.info())[0]?.backup).toHaveLength(6);
    });

    it('meets a policy matching the layout, judged on the live repository', async () => {
      const live = await client.info();
      const evaluation = evaluatePolicy(layoutPolicy(stack, s3), live, { now: new Date() });
      transcript.add(evaluation);
      expect(evaluation.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(evaluation.redundancy.repositoriesWithValidBackups).toEqual(['local', 'offsite']);
    });

    it('verifies the S3 repository independently (exit code 0)', async () => {
      const report = await verifyRepository(
        verifyOptions(s3, stack.repos[1]!.path, { cipherPassphrase: { value: cipherPass }, stanzas: [stack.stanza] }),
      );
      transcript.add(report);
      expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      expect(exitCodeFor(report)).toBe(0);
      expect(report.stanzas[0]?.backups).toHaveLength(3);
    });

    it('restores by time from the encrypted S3 repository: rows before the target present, after absent', async () => {
      await stack.psql('CREATE TABLE pitr (phase text, at timestamptz DEFAULT clock_timestamp())');
      await stack.psql("INSERT INTO pitr (phase) SELECT 'before-time' FROM generate_series(1, 50)");
      await sleep(1_100);
      marks['time'] = await databaseTime(stack);
      await sleep(1_100);
      await stack.psql("INSERT INTO pitr (phase) SELECT 'after-time' FROM generate_series(1, 50)");
      marks['lsn'] = await createRestorePoint(stack, 'e2e-point');
      await stack.psql("INSERT INTO pitr (phase) SELECT 'after-point' FROM generate_series(1, 50)");
      await switchWal(stack);
      transcript.add(await client.check());

      const counts = await restoreAndQuery(
        { type: 'time', time: marks['time'], repo: 2, targetAction: 'promote' },
        'restore-time',
        "SELECT string_agg(phase || '=' || n, ',' ORDER BY phase) FROM (SELECT phase, count(*) n FROM pitr GROUP BY phase) c",
      );
      expect(counts).toBe('before-time=50');
    });

    it('restores by name (restore point) from the posix repository', async () => {
      const counts = await restoreAndQuery(
        { type: 'name', name: 'e2e-point', repo: 1, targetAction: 'promote' },
        'restore-name',
        "SELECT string_agg(phase || '=' || n, ',' ORDER BY phase) FROM (SELECT phase, count(*) n FROM pitr GROUP BY phase) c",
      );
      expect(counts).toBe('after-time=50,before-time=50');
    });

    it('restores to consistency (immediate) of the newest backup: nothing written later', async () => {
      const rows = await restoreAndQuery(
        { type: 'immediate', repo: 1, targetAction: 'promote' },
        'restore-immediate',
        "SELECT count(*) || ',' || (to_regclass('pitr') IS NULL) FROM chronos_data",
      );
      expect(rows).toBe('2500,true');
    });

    it('leaks no secret into any argv, log line, output, error or report', async () => {
      await argv.sample();
      expect(argv.samples).toBeGreaterThan(10);
      expect([...argv.leaks]).toEqual([]);
      expect(transcript.texts.length).toBeGreaterThan(20);
      expect(transcript.containing(cipherPass)).toEqual([]);
    });

    /** The product's restore drill (`runRestoreDrill`, where the stack runs) with the query as its one check. */
    async function restoreAndQuery(target: RestoreTarget, name: string, sql: string): Promise<string> {
      const report = await drillStack(stack, {
        client,
        scratch: `${dirname(stack.pg.dataPath)}/${name}`,
        target,
        checks: [{ name, sql, expect: { kind: 'row-exists' } }],
        amcheck: false,
        onProgress: (line) => transcript.add(line),
      });
      transcript.add(report);
      expect(report.outcome, JSON.stringify(report.checks)).toBe('proven');
      return report.checks[0]!.observed!.trim();
    }
  });
}

function numericOptions(options: Readonly<Record<string, string>>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, /^\d+$/.test(v) ? Number(v) : v]));
}
