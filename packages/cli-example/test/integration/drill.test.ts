import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  runProcess,
  startNativeStack,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, envelope, runCli } from '../helpers/run-cli.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Processes whose command line names the path (pgBackRest restoring into it, a postmaster on it). */
async function processesOn(path: string): Promise<string[]> {
  const ps = await runProcess({ file: 'ps', args: ['-eo', 'pid,args'] });
  return ps.stdout.split('\n').filter((line) => line.includes(path) && !line.includes(' ps -eo'));
}

/** Starts `chronos drill`, sends SIGINT once `ready` holds, and resolves with its exit code and stderr. */
async function interruptWhen(
  args: readonly string[],
  env: Record<string, string>,
  ready: () => Promise<boolean>,
): Promise<{ exitCode: number | null; stderr: string; interrupted: boolean }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let interrupted = false;
  let done = false;
  exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + 240_000;
  while (!done && Date.now() < deadline) {
    if (await ready()) {
      child.kill('SIGINT');
      interrupted = true;
      break;
    }
    await sleep(50);
  }
  return { exitCode: await exited, stderr, interrupted };
}

describe.skipIf(skip)(skip ?? 'chronos drill against a local cluster', () => {
  let stack: PgBackRestStack;
  let root: string;
  let target: string;
  let globals: string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    stack = await startNativeStack({
      repos: [{ type: 'posix' }],
      options: { 'start-fast': 'y', 'archive-timeout': '60' },
    });
    root = await mkdtemp(join(tmpdir(), 'chronos-cli-drill-'));
    const uid = Number((await runProcess({ file: 'id', args: ['-u', 'postgres'] })).stdout);
    await chown(root, uid, uid);
    globals = ['--stanza', stack.stanza, '--config', stack.configPath, '--user', 'postgres'];
    env = { ...stack.secretEnv() };
    const pgbackrest = (...args: string[]) =>
      stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args], { timeout: 300_000 });
    ensureSuccess('stanza-create', await pgbackrest('stanza-create'));
    await writeRows(stack, 50_000);
    ensureSuccess('backup', await pgbackrest('--type=full', 'backup'));
    await stack.psql("CREATE TABLE marker (phase text); INSERT INTO marker SELECT 'before' FROM generate_series(1, 3)");
    await sleep(1_200);
    target = (
      await stack.psql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
    ).trim();
    await sleep(1_200);
    await stack.psql("INSERT INTO marker VALUES ('after')");
    ensureSuccess('check', await pgbackrest('check'));
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('proves the rows before the target and none after: exit 0, the report, the gauges, nothing left behind', async () => {
    const scratch = join(root, 'proven');
    const metrics = join(root, 'drill.prom');
    const run = await runCli(
      [
        ...globals,
        'drill',
        '--time',
        target,
        '--scratch',
        scratch,
        '--check-sql',
        "SELECT count(*) FROM marker WHERE phase = 'before'",
        '--expect',
        '>=3',
        '--check-sql',
        "SELECT count(*) = 0 FROM marker WHERE phase = 'after'",
        '--expect',
        'true',
        '--metrics-file',
        metrics,
        '--json',
      ],
      { env, timeout: 600_000 },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const report = envelope(run).result;
    expect(report).toMatchObject({
      kind: 'chronos-restore-drill',
      schemaVersion: 1,
      outcome: 'proven',
      repo: 1,
      checksFailed: 0,
    });
    expect(report.checks.map((c: { status: string }) => c.status)).toEqual(['passed', 'passed', 'passed']);
    expect(await readFile(metrics, 'utf8')).toMatch(
      new RegExp(`chronos_drill_last_success_timestamp_seconds\\{stanza="${stack.stanza}",repo="1"\\} \\d+`),
    );
    expect(existsSync(scratch)).toBe(false);
    expect(await processesOn(scratch)).toEqual([]);
  }, 600_000);

  it('exits 1 naming the failed check', async () => {
    const scratch = join(root, 'failing');
    const run = await runCli(
      [...globals, 'drill', '--time', target, '--scratch', scratch, '--no-amcheck'].concat([
        '--check-sql',
        "SELECT 1 FROM marker WHERE phase = 'after'",
        '--expect',
        'row',
      ]),
      { env, timeout: 600_000 },
    );
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toContain("drill check failed: SELECT 1 FROM marker WHERE phase = 'after'");
    expect(run.stdout).toMatch(/FAILED +SELECT 1 FROM marker .*returned no row/);
    expect(existsSync(scratch)).toBe(false);
  }, 600_000);

  it("exits 3 and touches nothing when the scratch is the cluster's data directory", async () => {
    const started = await stack.psql('SELECT pg_postmaster_start_time()');
    const run = await runCli([...globals, 'drill', '--scratch', stack.pg.dataPath], { env, timeout: 120_000 });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/DrillRefusedError|could not prove/);
    expect(run.stderr).toMatch(/data directory/);
    expect(await stack.psql('SELECT pg_postmaster_start_time()')).toBe(started);
  }, 120_000);

  it('SIGINT during the restore leaves no process and no directory of the drill', async () => {
    const scratch = join(root, 'interrupted-restore');
    const run = await interruptWhen([...globals, 'drill', '--scratch', scratch], env, async () =>
      (await processesOn(scratch)).some((line) => /pgbackrest .*restore/.test(line)),
    );
    expect(run.interrupted).toBe(true);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/interrupted|aborted/);
    expect(await processesOn(scratch)).toEqual([]);
    expect(existsSync(scratch)).toBe(false);
  }, 600_000);

  it('SIGINT during recovery leaves no process and no directory of the drill', async () => {
    // A restored copy of this setting holds recovery before the first commit after the backup: the drill waits there.
    await stack.psql("ALTER SYSTEM SET recovery_min_apply_delay = '1h'");
    ensureSuccess(
      'backup',
      await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, '--type=full', 'backup'], { timeout: 300_000 }),
    );
    await stack.psql('ALTER SYSTEM RESET recovery_min_apply_delay');
    await stack.psql("INSERT INTO marker VALUES ('delayed')");
    ensureSuccess('check', await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'check'], { timeout: 300_000 }));
    const scratch = join(root, 'interrupted-recovery');
    const run = await interruptWhen([...globals, 'drill', '--scratch', scratch], env, async () => {
      if (!(await processesOn(scratch)).some((line) => /postgres .*-D .*pgdata/.test(line))) return false;
      const log = await readFile(join(scratch, 'postgresql.log'), 'utf8').catch(() => '');
      return /ready to accept read-only connections/.test(log);
    });
    expect(run.interrupted).toBe(true);
    expect(run.exitCode).toBe(3);
    expect(await processesOn(scratch)).toEqual([]);
    expect(existsSync(scratch)).toBe(false);
  }, 600_000);
});
