import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, nextRuns, type PolicyInput, validatePolicy } from '@chronos/pgbackrest/policy';
import {
  buildDeploymentImage,
  integrationGate,
  probeDocker,
  probeImage,
  runProcess,
  type S3Endpoint,
  startS3Endpoint,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, REPO_ROOT, runCli } from '../helpers/run-cli.js';

// The reference deployment replayed: PostgreSQL is the main process of a container (image derived from the test
// image), its data in a named volume, pgBackRest inside with a posix repository in a second volume and an encrypted
// S3 repository on the TLS endpoint; the host drives it with the compiled crontab and with chronos --docker.

const BASE = process.env['CHRONOS_TEST_IMAGE'] ?? 'chronos-pg:15-2.45';
const skip = await integrationGate(await probeDocker(), await probeImage(BASE));

const suffix = randomBytes(4).toString('hex');
const db = `chronos-db-${suffix}`;
const repoVolume = `chronos-repo-${suffix}`;
const volumes: string[] = [];
const cipherPass = `throwaway-${randomBytes(8).toString('hex')}`;

async function docker(args: readonly string[], env: Record<string, string> = {}, timeout = 120_000) {
  return runProcess({ file: 'docker', args, env, timeout });
}

async function ok(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const result = await docker(args, env);
  if (result.exitCode !== 0) throw new Error(`docker ${args.slice(0, 3).join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** runCli, or the CLI build named by CHRONOS_CLI (a copy of dist/, for runs while the tree is being rebuilt). */
const cli: typeof runCli = async (args, options = {}) => {
  const path = process.env['CHRONOS_CLI'];
  if (path === undefined) return runCli(args, options);
  const run = await runProcess({
    file: process.execPath,
    args: [path, ...args],
    env: { FORCE_COLOR: '0', ...options.env },
    timeout: options.timeout ?? 60_000,
  });
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)(
  skip ?? 'the reference deployment, replayed through the compiled jobs and chronos --docker',
  () => {
    let s3: S3Endpoint;
    let image: string;
    let work: string;
    let port: number;
    let confPath: string;
    let config: string;
    let hostEnv: Record<string, string>;
    let containerEnv: Record<string, string>;
    let policy: ReturnType<typeof validatePolicy>;
    let crontab: string;
    let dataVolume = '';
    const globals = (stanza = 'chronos') => ['--stanza', stanza, '--docker', db];

    const psql = async (sql: string) =>
      (
        await ok([
          'exec',
          '-u',
          'postgres',
          db,
          'psql',
          '-X',
          '-A',
          '-t',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          '/var/run/postgresql',
          '-p',
          String(port),
          '-c',
          sql,
        ])
      ).trim();

    async function waitReady(): Promise<void> {
      for (let i = 0; i < 120; i++) {
        const ready = await docker([
          'exec',
          '-u',
          'postgres',
          db,
          'pg_isready',
          '-h',
          '/var/run/postgresql',
          '-p',
          String(port),
        ]);
        if (
          ready.exitCode === 0 &&
          (
            await docker([
              'exec',
              '-u',
              'postgres',
              db,
              'psql',
              '-h',
              '/var/run/postgresql',
              '-p',
              String(port),
              '-Atc',
              'select pg_is_in_recovery()',
            ])
          ).stdout.trim() === 'f'
        )
          return;
        await sleep(500);
      }
      throw new Error(`PostgreSQL in ${db} did not start: ${(await docker(['logs', '--tail', '30', db])).stderr}`);
    }

    /** `docker run` of the database container on a volume, secrets passed by name. */
    async function startDb(volume: string, env: Record<string, string> = containerEnv): Promise<void> {
      await ok(
        [
          'run',
          '-d',
          '--name',
          db,
          '--network',
          'host',
          ...Object.keys(env).flatMap((name) => ['-e', name]),
          '-v',
          `${volume}:/var/lib/postgresql/data`,
          '-v',
          `${repoVolume}:/var/lib/pgbackrest`,
          '-v',
          `${confPath}:/etc/pgbackrest/pgbackrest.conf:ro`,
          image,
        ],
        env,
      );
      await waitReady();
    }

    async function freshVolume(): Promise<string> {
      dataVolume = `chronos-data-${suffix}-${volumes.length + 1}`;
      volumes.push(dataVolume);
      return dataVolume;
    }

    async function removeDb(): Promise<void> {
      await docker(['stop', db]);
      await docker(['rm', '-f', db]);
    }

    async function waitArchived(): Promise<void> {
      const segment = await psql('select pg_walfile_name(pg_switch_wal())');
      for (let i = 0; i < 120; i++) {
        if ((await psql(`select coalesce(last_archived_wal >= '${segment}', false) from pg_stat_archiver`)) === 't')
          return;
        await sleep(500);
      }
      throw new Error(`WAL ${segment} was not archived`);
    }

    const doctor = async (stanza = 'chronos', extra: readonly string[] = []) => {
      const run = await cli([...globals(stanza), 'doctor', '--json', ...extra], { timeout: 240_000 });
      const report = envelope(run).result as { checks: { id: string; status: string; detail: string; fix?: string }[] };
      return { exitCode: run.exitCode, check: (id: string) => report.checks.find((c) => c.id === id), report };
    };

    beforeAll(async () => {
      image = await buildDeploymentImage({ base: BASE });
      s3 = await startS3Endpoint({ bucket: `chronos-${suffix}` });
      work = mkdtempSync(join(tmpdir(), 'chronos-reference-'));
      port = await freePort();
      hostEnv = {
        CHRONOS_REPO_CIPHER_PASS: cipherPass,
        CHRONOS_S3_ACCESS_KEY_ID: s3.accessKeyId,
        CHRONOS_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      };
      containerEnv = {
        PGPORT: String(port),
        PGBACKREST_REPO1_CIPHER_PASS: cipherPass,
        PGBACKREST_REPO2_CIPHER_PASS: cipherPass,
        PGBACKREST_REPO2_S3_KEY: s3.accessKeyId,
        PGBACKREST_REPO2_S3_KEY_SECRET: s3.secretAccessKey,
      };
      const document = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/chronos-policy.json'), 'utf8')) as PolicyInput;
      document.database = { path: '/var/lib/postgresql/data', port, socketPath: '/var/run/postgresql' };
      const [posix, offsite] = document.repositories;
      document.repositories = [
        posix!,
        {
          ...offsite!,
          bucket: s3.bucket,
          region: s3.region,
          endpoint: '127.0.0.1',
          port: s3.port,
          uriStyle: 'path',
          verifyTls: false,
        } as PolicyInput['repositories'][number],
      ];
      document.runtime = { docker: { container: db, user: 'postgres' } };
      document.jobs = { logFile: join(work, 'chronos-backup-cron.log') };
      delete document.restoreDrill;
      policy = validatePolicy(document);
      writeFileSync(join(work, 'policy.json'), JSON.stringify(document));
      const compiled = compilePolicy(policy, { version: '2.45' });
      config = compiled.config;
      crontab = compiled.schedules.crontab;
      confPath = join(work, 'pgbackrest.conf');
      writeFileSync(confPath, config, { mode: 0o644 });
      writeFileSync(
        join(work, 'chronos.env'),
        Object.entries(hostEnv)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
        { mode: 0o600 },
      );
      await startDb(await freshVolume());
    }, 600_000);

    afterAll(async () => {
      await docker(['rm', '-f', db]);
      const leftovers = (await docker(['ps', '-aq', '--filter', 'name=chronos-restore-'])).stdout.trim();
      if (leftovers !== '') await docker(['rm', '-f', ...leftovers.split('\n')]);
      await docker(['volume', 'rm', '-f', ...volumes, repoVolume]);
      await s3?.[Symbol.asyncDispose]();
      if (work) rmSync(work, { recursive: true, force: true });
    }, 180_000);

    /** The crontab entry cron would start at `instant` (a minute before the scheduled time), run by sh as cron runs it. */
    async function cronAt(instant: string) {
      const [run] = nextRuns(policy, { from: new Date(instant), count: 1, kinds: ['full', 'diff'] });
      if (!run) throw new Error('no scheduled run');
      const schedule = policy.schedule[run.kind as 'full' | 'diff'];
      const line = crontab.split('\n').find((l) => l.startsWith(`${schedule?.cron} `)) ?? '';
      const command = line
        .slice((schedule?.cron.length ?? 0) + 1)
        .replaceAll('\\%', '%')
        .replace('/etc/pgbackrest/chronos.env', join(work, 'chronos.env'));
      const result = await runProcess({ file: 'sh', args: ['-c', command], timeout: 600_000 });
      return { kind: run.kind, result };
    }

    it('1. the compiled host crontab lines back up through docker exec: Sunday → full, Monday → diff, in the job log', async () => {
      const created = await cli([...globals(), 'stanza', 'create']);
      expect(created.exitCode, created.stderr).toBe(0);
      await psql('create table readings (id int primary key, at timestamptz default now(), note text)');

      const sunday = await cronAt('2026-11-29T06:59:00Z');
      expect(sunday.kind).toBe('full');
      expect(sunday.result.exitCode, sunday.result.stderr).toBe(0);
      const monday = await cronAt('2026-11-30T06:59:00Z');
      expect(monday.kind).toBe('diff');
      expect(monday.result.exitCode, monday.result.stderr).toBe(0);

      const log = readFileSync(join(work, 'chronos-backup-cron.log'), 'utf8');
      for (const line of [
        'pgbackrest-chronos-full: backup repo1 (full) ok',
        'pgbackrest-chronos-full: backup repo2 (full) ok',
        'pgbackrest-chronos-full: finished ok',
        'pgbackrest-chronos-diff: backup repo1 (diff) ok',
        'pgbackrest-chronos-diff: backup repo2 (diff) ok',
        'pgbackrest-chronos-diff: finished ok',
      ]) {
        expect(log).toMatch(
          new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ ${line.replaceAll(/[()]/g, '\\$&')}$`, 'm'),
        );
      }
      expect(log).not.toContain(cipherPass);
      expect(crontab).not.toContain(cipherPass);
    }, 900_000);

    it('2. chronos info, check, a manual full and a manual diff through --docker', async () => {
      const check = await cli([...globals(), 'check'], { timeout: 300_000 });
      expect(check.exitCode, check.stderr + check.stdout).toBe(0);
      const full = await cli([...globals(), 'backup', '--type', 'full', '--json'], { timeout: 600_000 });
      expect(full.exitCode, full.stderr).toBe(0);
      expect(envelope(full).result.label).toMatch(/F$/);
      const diff = await cli([...globals(), 'backup', '--type', 'diff', '--json'], { timeout: 600_000 });
      expect(diff.exitCode, diff.stderr).toBe(0);
      expect(envelope(diff).result.label).toMatch(/D$/);
      const info = await cli([...globals(), 'info', '--json']);
      const stanza = envelope(info).result[0];
      expect(stanza.status.code).toBe(0);
      const types = stanza.backup.map(
        (b: { type: string; database: { 'repo-key': number } }) => `${b.database['repo-key']}:${b.type}`,
      );
      expect(types.filter((t: string) => t === '1:full')).toHaveLength(2);
      // The scheduled jobs back up every repository; a manual backup goes to repo1 (pgBackRest's default).
      expect(types.filter((t: string) => t === '1:diff')).toHaveLength(2);
      expect(types.filter((t: string) => t === '2:full')).toHaveLength(1);
      expect(types.filter((t: string) => t === '2:diff')).toHaveLength(1);
    }, 1_200_000);

    it('3. restores by local time into a fresh volume as the runbook does; the rows before the target are back, none after', async () => {
      await psql("insert into readings (id, note) values (1, 'before')");
      await waitArchived();
      await sleep(1500);
      const local = new Intl.DateTimeFormat('sv-SE', {
        timeZone: 'America/Toronto',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }).format(new Date());
      await sleep(1500);
      await psql("insert into readings (id, note) values (2, 'after')");
      await waitArchived();

      const refused = await cli(
        [
          ...globals(),
          'restore',
          '--time',
          `${local} America/Toronto`,
          '--target-action',
          'promote',
          '--docker-volume',
          dataVolume,
          '--image',
          image,
          '--docker-config',
          confPath,
          '--mount',
          `${repoVolume}:/var/lib/pgbackrest`,
          '--container',
          db,
          '--yes',
        ],
        { env: containerEnv, timeout: 300_000 },
      );
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain(`used by running container(s) ${db}`);

      await removeDb();
      await ok(['volume', 'rm', dataVolume]);
      const restore = await cli(
        [
          ...globals(),
          'restore',
          '--time',
          `${local} America/Toronto`,
          '--target-action',
          'promote',
          '--docker-volume',
          dataVolume,
          '--image',
          image,
          '--docker-config',
          confPath,
          '--mount',
          `${repoVolume}:/var/lib/pgbackrest`,
          '--container',
          db,
          '--yes',
          '--json',
        ],
        { env: containerEnv, timeout: 900_000 },
      );
      expect(restore.exitCode, restore.stderr).toBe(0);
      const result = envelope(restore).result;
      expect(result.createdVolume).toBe(true);
      expect(restore.stdout).not.toContain(cipherPass);
      // The printed command carries the volume, mounts and secrets; the port is this deployment's own setting.
      expect(result.startCommand).toContain(`-v ${dataVolume}:/var/lib/postgresql/data`);
      const started = await runProcess({
        file: 'sh',
        args: ['-c', result.startCommand.replace(' --network host ', ' --network host -e PGPORT ')],
        env: containerEnv,
        timeout: 120_000,
      });
      expect(started.exitCode, started.stderr).toBe(0);
      await waitReady();
      expect(await psql('select note from readings order by id')).toBe('before');
    }, 1_800_000);

    it('4. migration: a re-initialized cluster; doctor names the system-id mismatch; stanza delete + create, then a new stanza name', async () => {
      const before = await psql('select system_identifier from pg_control_system()');
      await removeDb();
      await startDb(await freshVolume());
      const after = await psql('select system_identifier from pg_control_system()');
      expect(after).not.toBe(before);

      const mismatch = await doctor();
      expect(mismatch.exitCode).toBe(1);
      expect(mismatch.check('system-id')).toMatchObject({ status: 'fail' });
      expect(mismatch.check('system-id')?.detail).toContain(`system id ${after}`);
      expect(mismatch.check('system-id')?.detail).toContain(`repository's ${before}`);
      expect(mismatch.check('system-id')?.fix).toMatch(/new stanza name.*stanza delete --force then stanza create/);

      const deleted = await cli([...globals(), 'stanza', 'delete', '--force', '--yes'], { timeout: 300_000 });
      expect(deleted.exitCode, deleted.stderr).toBe(0);
      expect(deleted.stderr).toMatch(/repo2: \d+ backup\(s\)/);
      const created = await cli([...globals(), 'stanza', 'create'], { timeout: 300_000 });
      expect(created.exitCode, created.stderr).toBe(0);
      const full = await cli([...globals(), 'backup', '--type', 'full'], { timeout: 600_000 });
      expect(full.exitCode, full.stderr).toBe(0);
      expect((await doctor()).check('system-id')?.status).toBe('ok');
      const verifyS3 = (stanza: string) =>
        cli(
          [
            ...globals(stanza),
            'verify-s3',
            '--json',
            '--bucket',
            s3.bucket,
            '--region',
            s3.region,
            '--endpoint',
            s3.url,
            '--repo-path',
            '/chronos',
            '--no-tls-verify',
            '--cipher-pass-env',
            'CHRONOS_REPO_CIPHER_PASS',
          ],
          {
            env: { ...hostEnv, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey },
            timeout: 300_000,
          },
        );
      const verify = await verifyS3('chronos');
      expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);

      // The second way out, as the reference deployment did: a new stanza name for the new cluster.
      await removeDb();
      await startDb(await freshVolume());
      writeFileSync(confPath, `${config}\n[chronos-v2]\n${config.split('[chronos]\n')[1] ?? ''}`);
      await psql("alter system set archive_command = 'pgbackrest --stanza=chronos-v2 archive-push %p'");
      await psql('select pg_reload_conf()');
      expect((await doctor()).check('system-id')?.status).toBe('fail');
      const v2 = await cli([...globals('chronos-v2'), 'stanza', 'create'], { timeout: 300_000 });
      expect(v2.exitCode, v2.stderr).toBe(0);
      // This full goes to the S3 repository (repo2) so that verify-s3 reads the new stanza's first backup.
      const v2full = await cli([...globals('chronos-v2'), 'backup', '--type', 'full', '--repo', '2'], {
        timeout: 600_000,
      });
      expect(v2full.exitCode, v2full.stderr).toBe(0);
      const v2doctor = await doctor('chronos-v2');
      expect(v2doctor.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(v2doctor.exitCode).toBe(0);
      expect(v2doctor.check('repo2')?.detail).toContain('an object was written and removed through pgBackRest');
      expect(v2doctor.check('clock.repo2')?.status).toBe('ok');
      const v2verify = await verifyS3('chronos-v2');
      expect(v2verify.exitCode, v2verify.stdout + v2verify.stderr).toBe(0);
      const v2report = envelope(v2verify).result;
      expect(v2report.outcome).toBe('ok');
      const v2stanza = v2report.stanzas.find((st: { name: string }) => st.name === 'chronos-v2');
      expect(v2stanza?.verified).toBe(true);
      expect(v2stanza?.backups.map((b: { type: string }) => b.type)).toEqual(['full']);
    }, 2_400_000);

    it('5. doctor fails each broken troubleshooting item with its fix, and passes once mended', async () => {
      const stanza = 'chronos-v2';
      const good = readFileSync(confPath, 'utf8');

      writeFileSync(confPath, good.replace('[chronos-v2]\n', '[chronos-v2]\npg1-database=timescale\n'));
      let report = await doctor(stanza);
      expect(report.exitCode).toBe(1);
      expect(report.check('postgres.database')).toMatchObject({ status: 'fail' });
      expect(report.check('postgres.database')?.fix).toContain('Set pg1-database');
      writeFileSync(confPath, good);
      expect((await doctor(stanza)).check('postgres.database')?.status).toBe('ok');

      await psql('alter system set archive_mode = off');
      await ok(['restart', db]);
      await waitReady();
      report = await doctor(stanza);
      expect(report.check('archive.mode')).toMatchObject({ status: 'fail' });
      expect(report.check('archive.mode')?.fix).toContain("archive_mode = 'on'");
      await psql('alter system reset archive_mode');
      await ok(['restart', db]);
      await waitReady();
      expect((await doctor(stanza)).check('archive.mode')?.status).toBe('ok');

      await removeDb();
      await startDb(dataVolume, {
        ...containerEnv,
        PGBACKREST_REPO2_S3_KEY: 'AKIANOTTHEKEY0000000',
        PGBACKREST_REPO2_S3_KEY_SECRET: 'not-the-secret-key',
      });
      report = await doctor(stanza);
      expect(report.check('repo2'), JSON.stringify(report.check('repo2'))).toMatchObject({ status: 'fail' });
      expect(report.check('repo2')?.fix).toContain('PGBACKREST_REPO2_S3_KEY');
      expect(JSON.stringify(report.report)).not.toContain('not-the-secret-key');
      await removeDb();
      await startDb(dataVolume);
      // Reachable and writable again (chronos-v2's only full is in repo2).
      const mended = await doctor(stanza);
      expect(mended.check('repo2')).toMatchObject({ status: 'ok' });
      expect(mended.check('repo2')?.detail).toContain('written and removed');
      expect(mended.check('repo1')?.fix).toContain('full backup');

      await ok(['exec', '-u', 'root', db, 'chmod', '555', '/var/lib/pgbackrest']);
      report = await doctor(stanza);
      expect(report.check('repo1')).toMatchObject({ status: 'fail' });
      expect(report.check('repo1')?.detail).toContain('not writable by postgres');
      expect(report.check('repo1')?.detail).toContain('pgBackRest could not write to repo1');
      await ok(['exec', '-u', 'root', db, 'chmod', '750', '/var/lib/pgbackrest']);
      const healthy = await doctor(stanza);
      expect(healthy.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(healthy.exitCode).toBe(0);

      // The schedules are read in America/Toronto; this host's cron runs in the host's zone (the doctor reads it
      // from /etc/localtime). A host already in Eastern time gets Tokyo schedules so the zones differ.
      const link = (await runProcess({ file: 'readlink', args: ['-f', '/etc/localtime'] })).stdout.trim();
      const hostZone = /\/zoneinfo\/(.+)$/.exec(link)?.[1] ?? 'UTC';
      const eastern =
        new Date('2026-01-15T12:00:00Z').toLocaleString('en-US', {
          timeZone: hostZone,
          hour: 'numeric',
          hour12: false,
        }) === '7';
      const away = eastern ? 'Asia/Tokyo' : 'America/Toronto';
      const withZone = (zone: string, file: string) => {
        const document = JSON.parse(readFileSync(join(work, 'policy.json'), 'utf8')) as PolicyInput;
        for (const schedule of Object.values(document.schedule)) if (schedule) schedule.timeZone = zone;
        writeFileSync(join(work, file), JSON.stringify(document));
        return join(work, file);
      };
      const zone = (await doctor(stanza, ['--policy', withZone(away, 'policy-away.json')])).check('schedule.time-zone');
      expect(zone?.status, JSON.stringify(zone)).toBe('warn');
      expect(zone?.detail).toContain(`runs in ${hostZone}`);
      expect(zone?.detail).toMatch(new RegExp(`02:00 there is \\d\\d:00 ${hostZone} in January`));
      expect(zone?.fix).toContain(`timedatectl set-timezone ${away}`);
      const inHostZone = await doctor(stanza, ['--policy', withZone(hostZone, 'policy-host.json')]);
      expect(inHostZone.check('schedule.time-zone')?.status).toBe('ok');
    }, 1_800_000);
  },
);
