import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy, type PolicyInput, validatePolicy } from '@chronos/pgbackrest/policy';
import {
  DEFAULT_STACK_IMAGE,
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  runProcess,
  startContainerStack,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, envelope, REPO_ROOT, runCli } from '../helpers/run-cli.js';

const image = process.env['CHRONOS_TEST_IMAGE'] ?? DEFAULT_STACK_IMAGE;
const skip = await integrationGate(await probeDocker(), await probeImage(image));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drillContainers(): Promise<string[]> {
  const ps = await runProcess({
    file: 'docker',
    args: ['ps', '-a', '--filter', 'label=chronos.drill=1', '--format', '{{.Names}}'],
  });
  return ps.stdout.split('\n').filter(Boolean);
}

async function drillVolumes(): Promise<string[]> {
  const ls = await runProcess({ file: 'docker', args: ['volume', 'ls', '--format', '{{.Name}}'] });
  return ls.stdout.split('\n').filter((name) => name.startsWith('chronos-drill-'));
}

describe.skipIf(skip)(skip ?? `chronos drill --image beside a container deployment (${image})`, () => {
  let stack: PgBackRestStack;
  let globals: string[];

  beforeAll(async () => {
    stack = await startContainerStack({ image, repos: [{ type: 'posix' }], options: { 'start-fast': 'y' } });
    if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
    globals = ['--stanza', stack.stanza, '--docker', stack.transport.containerName, '--user', 'postgres'];
    const pgbackrest = (...args: string[]) =>
      stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args], { timeout: 300_000 });
    ensureSuccess('stanza-create', await pgbackrest('stanza-create'));
    await writeRows(stack, 20_000);
    ensureSuccess('backup', await pgbackrest('--type=full', 'backup'));
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses --docker without --image (never inside the production container), exit 3', async () => {
    const run = await runCli([...globals, 'drill', '--scratch', '/var/lib/chronos/drill'], { timeout: 120_000 });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('never runs inside the production container');
    expect((await stack.exec('test', ['-e', '/var/lib/chronos/drill'])).exitCode).not.toBe(0);
  }, 120_000);

  it('proves the backup in a throwaway container and removes it and its volume', async () => {
    const pid = (await stack.exec('cat', [`${stack.pg.dataPath}/postmaster.pid`])).stdout;
    const run = await runCli(
      [
        ...globals,
        'drill',
        '--image',
        image,
        '--check-sql',
        'SELECT count(*) FROM chronos_data',
        '--expect',
        '>=20000',
        '--json',
      ],
      { timeout: 600_000 },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(envelope(run).result).toMatchObject({ outcome: 'proven', checksFailed: 0 });
    expect((await stack.exec('cat', [`${stack.pg.dataPath}/postmaster.pid`])).stdout).toBe(pid);
    expect(await drillContainers()).toEqual([]);
    expect(await drillVolumes()).toEqual([]);
  }, 600_000);

  it("the reference policy's compiled drill job, run as cron runs it, proves the backup beside the container", async () => {
    if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
    const work = mkdtempSync(join(tmpdir(), 'chronos-drill-job-'));
    try {
      // examples/chronos-policy.json, pointed at this deployment: its container, image, repository and stanza.
      const document = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/chronos-policy.json'), 'utf8')) as PolicyInput;
      expect(document.restoreDrill?.image).toBeDefined();
      document.stanza = stack.stanza;
      document.runtime = { docker: { container: stack.transport.containerName, user: 'postgres' } };
      document.repositories = [
        {
          name: 'local',
          type: 'posix',
          path: stack.repoPaths[0]!,
          offsite: false,
          retention: { full: { count: 2 }, diff: { count: 2 } },
        },
      ];
      document.encryption = { cipher: 'none', requiredFor: 'none' };
      delete document.redundancy;
      document.jobs = { logFile: join(work, 'drill.log') };
      document.restoreDrill = {
        ...document.restoreDrill!,
        repository: 'local',
        image,
        checks: [{ name: 'rows', sql: 'SELECT count(*) FROM chronos_data', expect: '>=20000' }],
        metricsFile: join(work, 'drill.prom'),
      };
      const policyPath = join(work, 'policy.json');
      writeFileSync(policyPath, JSON.stringify(document));
      const compiled = compilePolicy(validatePolicy(document), { policyPath });
      const schedule = document.restoreDrill.cron;
      const line = compiled.schedules.crontab.split('\n').find((l) => l.startsWith(`${schedule} `)) ?? '';
      expect(line).toContain(`drill --policy=${policyPath} --image=${image}`);
      const bin = join(work, 'bin');
      await runProcess({ file: 'mkdir', args: [bin] });
      writeFileSync(join(bin, 'chronos'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
      chmodSync(join(bin, 'chronos'), 0o755);
      const job = await runProcess({
        file: 'sh',
        args: ['-c', line.slice(schedule.length + 1).replaceAll('\\%', '%')],
        env: { PATH: `${bin}:${process.env['PATH']}` },
        timeout: 600_000,
      });
      const log = readFileSync(join(work, 'drill.log'), 'utf8');
      expect(job.exitCode, `${job.stderr}\n${log}`).toBe(0);
      expect(log).toMatch(/restore-drill: finished ok$/m);
      expect(readFileSync(join(work, 'drill.prom'), 'utf8')).toMatch(
        new RegExp(`^chronos_drill_checks_failed\\{stanza="${stack.stanza}",repo="1"\\} 0$`, 'm'),
      );
      expect(await drillContainers()).toEqual([]);
      expect(await drillVolumes()).toEqual([]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 600_000);

  it('SIGINT while the drill container restores leaves no container and no volume', async () => {
    const child = spawn(process.execPath, [CLI, ...globals, 'drill', '--image', image], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let interrupted = false;
    for (let i = 0; i < 2_400 && child.exitCode === null; i++) {
      const [name] = await drillContainers();
      if (name !== undefined) {
        const ps = await runProcess({ file: 'docker', args: ['exec', name, 'ps', '-eo', 'args'] });
        if (/pgbackrest .*restore/.test(ps.stdout)) {
          child.kill('SIGINT');
          interrupted = true;
          break;
        }
      }
      await sleep(100);
    }
    const code = await exited;
    expect(interrupted, stderr).toBe(true);
    expect(code).toBe(3);
    expect(await drillContainers()).toEqual([]);
    expect(await drillVolumes()).toEqual([]);
  }, 600_000);
});
