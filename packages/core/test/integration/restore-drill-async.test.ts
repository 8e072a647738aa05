import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillTimeoutError, isDrillError, runRestoreDrill } from '../../src/drill/index.js';
import { runProcess } from '../../src/exec/process.js';
import {
  createStackClient,
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  startNativeStack,
} from '../../src/testing/index.js';
import { markerChecks, postgresOwnedRoot, processesOn, writeMarkersAroundTarget } from './support/drill-fixture.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());

const asPostgres = (command: string) =>
  runProcess({ file: 'runuser', args: ['-u', 'postgres', '--', 'sh', '-c', command], timeout: 120_000 });

/** Files below a directory, relative to it ('' when it does not exist). */
async function filesUnder(dir: string): Promise<string[]> {
  const found = await runProcess({ file: 'find', args: [dir, '-type', 'f', '-printf', '%P\\n'] });
  return found.stdout.split('\n').filter(Boolean).sort();
}

describe.skipIf(skip)(skip ?? 'runRestoreDrill on a cluster that archives asynchronously: spool, keep, timeout', () => {
  let stack: PgBackRestStack;
  let root: string;
  let target: string;
  let productionSpool: string;
  let productionLog: string;

  const client = () => createStackClient(stack, { timeout: 300_000 });
  const checks = markerChecks;

  beforeAll(async () => {
    stack = await startNativeStack({
      repos: [{ type: 'posix' }],
      options: { 'start-fast': 'y', 'archive-timeout': '60', 'archive-async': 'y' },
    });
    const config = await readFile(stack.configPath, 'utf8');
    productionSpool = /^spool-path=(.+)$/m.exec(config)![1]!;
    productionLog = /^log-path=(.+)$/m.exec(config)![1]!;
    root = await postgresOwnedRoot('chronos-drill-async-');
    const c = client();
    await c.stanzaCreate();
    await c.backup({ type: 'full' });
    target = await writeMarkersAroundTarget(stack);
    await c.check();
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("archive-async: the drill's archive-get queues in its own spool path and logs in its own; keep: true leaves it running with how to connect and remove", async () => {
    const scratch = join(root, 'kept');
    const report = await runRestoreDrill({
      client: client(),
      scratch,
      target: { type: 'time', time: target },
      checks,
      amcheck: false,
      keep: true,
    });
    try {
      expect(report.outcome).toBe('proven');
      const production = {
        spoolIn: await filesUnder(join(productionSpool, 'archive', stack.stanza, 'in')),
        archiveGetLogs: (await readdir(productionLog)).filter((f) => f.includes('archive-get')),
      };
      const drillFiles = await filesUnder(join(scratch, 'pgbackrest'));
      // Production's spool holds only archive-push's queue; its log path no archive-get of the drill.
      expect(production).toEqual({ spoolIn: [], archiveGetLogs: [] });
      // Recovery fetched WAL with the asynchronous archive-get: its queue and log are in the drill's directory.
      expect(drillFiles.some((f) => f.startsWith(`spool/archive/${stack.stanza}/in/`))).toBe(true);
      expect(drillFiles).toContain(`log/${stack.stanza}-archive-get-async.log`);

      expect(report.kept).toBeDefined();
      const { connect } = report.kept!;
      expect(connect).toBe(`psql -h ${scratch}/run -p 5432 -U postgres -d postgres`);
      const query = await asPostgres(`${connect} -XAt -c "SELECT count(*) FROM drill_marker"`);
      expect(query.stdout.trim(), query.stderr).toBe('3');
      expect(await processesOn(scratch)).not.toEqual([]);
    } finally {
      const removed = await asPostgres(report.kept?.remove ?? `rm -rf ${scratch}`);
      expect(removed.exitCode, removed.stderr).toBe(0);
    }
    expect(existsSync(scratch)).toBe(false);
    expect(await processesOn(scratch)).toEqual([]);
  }, 600_000);

  it('times out with DrillTimeoutError and leaves no process and no directory behind', async () => {
    const scratch = join(root, 'timeout');
    const started = Date.now();
    // A check that outlasts the timeout: on a quick machine the rest of the drill fits in 2.5 s.
    const endless = {
      name: 'a check slower than the timeout',
      sql: 'SELECT pg_sleep(600) IS NOT NULL',
      expect: { kind: 'true' },
    } as const;
    const error = await runRestoreDrill({
      client: client(),
      scratch,
      target: { type: 'time', time: target },
      checks: [...checks, endless],
      timeout: 2_500,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrillTimeoutError);
    expect(isDrillError(error) && error.failure).toBe('timeout');
    expect((error as DrillTimeoutError).timeout).toBe(2_500);
    expect((error as Error).message).toMatch(/did not finish within 3 s \(during (isolation|restore|start|checks)\)/);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(existsSync(scratch)).toBe(false);
    expect(await processesOn(scratch)).toEqual([]);
  }, 600_000);
});
