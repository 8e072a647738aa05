import { chmod } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DoctorReport, runDoctor } from '../../src/doctor/index.js';
import type { Transport } from '../../src/exec/transport.js';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
} from '../../src/testing/index.js';

const IMAGE = 'chronos-pg:15-2.45';
const docker = await probeDocker();
const skip = await integrationGate(...(docker.available ? [docker, await probeImage(IMAGE)] : [docker]));

function statusOf(report: DoctorReport, id: string) {
  return report.checks.find((check) => check.id === id);
}

describe.skipIf(skip)(
  skip ?? 'runDoctor against a live container deployment, one troubleshooting item broken at a time',
  () => {
    let stack: PgBackRestStack;
    let transport: Transport;
    const bin = '/usr/lib/postgresql/15/bin';

    beforeAll(async () => {
      stack = await startContainerStack({ image: IMAGE, repos: [{ type: 'posix' }], options: { 'start-fast': 'y' } });
      if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
      transport = { kind: 'docker', container: stack.transport.containerName, user: 'postgres' };
      ensureSuccess('stanza-create', await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']));
    }, 180_000);

    afterAll(async () => {
      await stack?.stop();
    });

    const doctor = () => runDoctor({ stanza: stack.stanza, transport, config: stack.configPath });
    const restartPostgres = async () =>
      ensureSuccess(
        'pg_ctl restart',
        await stack.exec(`${bin}/pg_ctl`, [
          '-D',
          stack.pg.dataPath,
          '-m',
          'fast',
          '-w',
          '-t',
          '60',
          'restart',
          '-l',
          `${stack.pg.dataPath}/../postgresql.log`,
        ]),
      );

    it('passes on a healthy deployment and names the version, archiving and system id', async () => {
      const report = await doctor();
      const failed = report.checks.filter((c) => c.status === 'fail');
      expect(failed).toEqual([]);
      expect(report.verdict).toBe('ok');
      expect(report.pgbackrestVersion).toBe('2.45');
      expect(statusOf(report, 'archive.command')?.detail).toContain(`--stanza=${stack.stanza}`);
      const systemId = (await stack.psql('select system_identifier from pg_control_system()')).trim();
      expect(statusOf(report, 'system-id')).toMatchObject({ status: 'ok' });
      expect(statusOf(report, 'system-id')?.detail).toContain(systemId);
      expect(statusOf(report, 'repo1')?.status).toBe('warn');
      expect(statusOf(report, 'repo1')?.fix).toContain('full backup');
      expect(report.checks.map((c) => c.id)).toEqual(
        expect.arrayContaining([
          'pgbackrest',
          'config',
          'postgres',
          'postgres.database',
          'archive.mode',
          'archive.archiver',
          'path.lock',
          'path.log',
        ]),
      );
    }, 120_000);

    it('fails pg1-database naming a database that does not exist, and passes once mended', async () => {
      const config = ensureSuccess('read config', await stack.exec('cat', [stack.configPath])).stdout;
      const broken = config.replace(`[${stack.stanza}]\n`, `[${stack.stanza}]\npg1-database=timescale\n`);
      expect(broken).not.toBe(config);
      ensureSuccess(
        'write config',
        await stack.exec('sh', ['-c', 'cat > "$1"', 'sh', stack.configPath], { input: broken }),
      );
      try {
        const report = await doctor();
        expect(report.verdict).toBe('fail');
        expect(statusOf(report, 'postgres.database')).toMatchObject({ status: 'fail' });
        expect(statusOf(report, 'postgres.database')?.detail).toMatch(
          /pg1-database=timescale names no database .*postgres/,
        );
        expect(statusOf(report, 'postgres.database')?.fix).toContain('Set pg1-database');
        expect(statusOf(report, 'archive.mode')?.status).toBe('ok');
      } finally {
        ensureSuccess(
          'restore config',
          await stack.exec('sh', ['-c', 'cat > "$1"', 'sh', stack.configPath], { input: config }),
        );
      }
      expect(statusOf(await doctor(), 'postgres.database')?.status).toBe('ok');
    }, 120_000);

    it('fails archive_mode=off: first as a pending restart, then as off; passes once reset and restarted', async () => {
      await stack.psql('alter system set archive_mode = off');
      await stack.psql('select pg_reload_conf()');
      try {
        const pending = await doctor();
        expect(statusOf(pending, 'archive.mode')).toMatchObject({ status: 'fail' });
        expect(statusOf(pending, 'archive.mode')?.detail).toContain('pending_restart');
        expect(statusOf(pending, 'archive.mode')?.fix).toContain('Restart PostgreSQL');
        await restartPostgres();
        const off = await doctor();
        expect(statusOf(off, 'archive.mode')?.detail).toContain('archive_mode is off');
        expect(statusOf(off, 'archive.mode')?.fix).toContain("archive_mode = 'on'");
      } finally {
        await stack.psql('alter system reset archive_mode');
        await restartPostgres();
      }
      expect(statusOf(await doctor(), 'archive.mode')?.status).toBe('ok');
    }, 180_000);

    it('fails a repository path the pgBackRest user cannot write, and passes once mended', async () => {
      const repo = stack.repos[0]?.hostPath ?? '';
      await chmod(repo, 0o550);
      try {
        const report = await doctor();
        expect(statusOf(report, 'repo1')).toMatchObject({ status: 'fail' });
        expect(statusOf(report, 'repo1')?.detail).toContain('not writable by postgres');
        expect(statusOf(report, 'repo1')?.fix).toContain(`chown -R postgres:postgres ${stack.repoPaths[0]}`);
      } finally {
        await chmod(repo, 0o750);
      }
      expect(statusOf(await doctor(), 'repo1')?.status).not.toBe('fail');
    }, 120_000);

    it('reports pgBackRest unreachable when the container is not there', async () => {
      const report = await runDoctor({
        stanza: stack.stanza,
        transport: { kind: 'docker', container: 'chronos-no-such-container-4711' },
      });
      expect(report.verdict).toBe('unreachable');
      expect(report.checks).toHaveLength(1);
      expect(report.checks[0]?.fix).toContain('Start container chronos-no-such-container-4711');
    }, 60_000);
  },
);
