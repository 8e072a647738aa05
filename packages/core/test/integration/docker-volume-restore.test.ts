import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerVolumeInUseError, restoreIntoDockerVolume } from '../../src/docker/index.js';
import { runProcess } from '../../src/exec/process.js';
import { buildDeploymentImage, integrationGate, probeDocker, probeImage } from '../../src/testing/index.js';
import { freeLoopbackPort } from '../../src/testing/stack-bootstrap.js';

const BASE = 'chronos-pg:15-2.45';
const docker = await probeDocker();
const skip = await integrationGate(...(docker.available ? [docker, await probeImage(BASE)] : [docker]));

const suffix = randomBytes(4).toString('hex');
const container = `chronos-db-${suffix}`;
const dataVolume = `chronos-data-${suffix}`;
const repoVolume = `chronos-repo-${suffix}`;
const cipherPass = `throwaway-${randomBytes(8).toString('hex')}`;

async function dockerRun(args: readonly string[], env: Record<string, string> = {}, timeout = 120_000) {
  return runProcess({ file: 'docker', args, env, timeout });
}

async function ok(args: readonly string[], env: Record<string, string> = {}, timeout = 120_000): Promise<string> {
  const result = await dockerRun(args, env, timeout);
  if (result.exitCode !== 0) throw new Error(`docker ${args.slice(0, 4).join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

describe.skipIf(skip)(
  skip ?? 'restoreIntoDockerVolume: the runbook restore of a PostgreSQL-main-process container',
  () => {
    let image: string;
    let work: string;
    let port: number;
    let env: Record<string, string>;
    const psql = (sql: string) =>
      ok([
        'exec',
        '-u',
        'postgres',
        container,
        'psql',
        '-X',
        '-A',
        '-t',
        '-h',
        '/var/run/postgresql',
        '-p',
        String(port),
        '-c',
        sql,
      ]);
    const waitReady = async () => {
      for (let i = 0; i < 120; i++) {
        const ready = await dockerRun([
          'exec',
          '-u',
          'postgres',
          container,
          'pg_isready',
          '-h',
          '/var/run/postgresql',
          '-p',
          String(port),
        ]);
        if (ready.exitCode === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(
        `PostgreSQL in ${container} did not become ready: ${await ok(['logs', container]).catch(() => '')}`,
      );
    };
    const pgbackrest = (...args: string[]) =>
      ok(['exec', '-u', 'postgres', container, 'pgbackrest', '--stanza=chronos', ...args], {}, 240_000);

    beforeAll(async () => {
      image = await buildDeploymentImage({ base: BASE });
      work = mkdtempSync(join(tmpdir(), 'chronos-volume-restore-'));
      port = await freeLoopbackPort();
      env = { PGPORT: String(port), PGBACKREST_REPO1_CIPHER_PASS: cipherPass };
      writeFileSync(
        join(work, 'pgbackrest.conf'),
        [
          '[global]',
          'repo1-path=/var/lib/pgbackrest',
          'repo1-cipher-type=aes-256-cbc',
          'repo1-retention-full=2',
          'start-fast=y',
          'log-level-file=off',
          '',
          '[chronos]',
          'pg1-path=/var/lib/postgresql/data',
          `pg1-port=${port}`,
          'pg1-socket-path=/var/run/postgresql',
          '',
        ].join('\n'),
        { mode: 0o644 },
      );
      await ok(
        [
          'run',
          '-d',
          '--name',
          container,
          '--network',
          'host',
          '-e',
          'PGPORT',
          '-e',
          'PGBACKREST_REPO1_CIPHER_PASS',
          '-v',
          `${dataVolume}:/var/lib/postgresql/data`,
          '-v',
          `${repoVolume}:/var/lib/pgbackrest`,
          '-v',
          `${join(work, 'pgbackrest.conf')}:/etc/pgbackrest/pgbackrest.conf:ro`,
          image,
        ],
        env,
      );
      await waitReady();
      await pgbackrest('stanza-create');
    }, 300_000);

    afterAll(async () => {
      await dockerRun(['rm', '-f', container]);
      await dockerRun(['volume', 'rm', '-f', dataVolume, repoVolume]);
      if (work) rmSync(work, { recursive: true, force: true });
    }, 120_000);

    it('refuses while the database container uses the volume, then restores by local time into a fresh volume', async () => {
      await psql('create table readings (id int primary key, note text)');
      await psql("insert into readings values (1, 'before the target')");
      await pgbackrest('--type=full', 'backup');
      await psql("insert into readings values (2, 'still before the target')");
      await psql('select pg_switch_wal()');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const target = new Date();
      const local = new Intl.DateTimeFormat('sv-SE', {
        timeZone: 'America/Toronto',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }).format(target);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await psql("insert into readings values (3, 'after the target')");
      const segment = (await psql('select pg_walfile_name(pg_switch_wal())')).trim();
      for (let i = 0; i < 120; i++) {
        if (
          (await psql(`select coalesce(last_archived_wal >= '${segment}', false) from pg_stat_archiver`)).trim() === 't'
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }

      const restore = {
        volume: dataVolume,
        image,
        stanza: 'chronos',
        container,
        target: { type: 'time' as const, time: `${local} America/Toronto`, targetAction: 'promote' as const },
        configFile: join(work, 'pgbackrest.conf'),
        mounts: [{ source: repoVolume, target: '/var/lib/pgbackrest' }],
        env,
      };
      await expect(restoreIntoDockerVolume(restore)).rejects.toThrow(DockerVolumeInUseError);

      await ok(['stop', container]);
      await ok(['rm', container]);
      await ok(['volume', 'rm', dataVolume]);
      const result = await restoreIntoDockerVolume(restore);
      expect(result.createdVolume).toBe(true);
      expect(result.command).not.toContain(cipherPass);
      expect(result.command).toContain('-e PGBACKREST_REPO1_CIPHER_PASS');
      expect(result.plan.options).toMatchObject({ type: 'time', 'target-action': 'promote' });
      expect(result.startCommand).toBe(
        `docker run -d --name ${container} --network host -v ${dataVolume}:/var/lib/postgresql/data -v ${join(work, 'pgbackrest.conf')}:/etc/pgbackrest/pgbackrest.conf:ro -v ${repoVolume}:/var/lib/pgbackrest -e PGPORT -e PGBACKREST_REPO1_CIPHER_PASS ${image}`,
      );
      const leftovers = await ok(['ps', '-a', '--filter', 'name=chronos-restore-', '--format', '{{.Names}}']);
      expect(leftovers.trim()).toBe('');

      const started = await runProcess({ file: 'sh', args: ['-c', result.startCommand], env, timeout: 60_000 });
      expect(started.exitCode, started.stderr).toBe(0);
      await waitReady();
      for (let i = 0; (await psql('select pg_is_in_recovery()')).trim() !== 'f'; i++) {
        if (i >= 120) throw new Error(`PostgreSQL in ${container} still in recovery 60 s after it started`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect((await psql('select id from readings order by id')).trim().split('\n')).toEqual(['1', '2']);
    }, 600_000);
  },
);
