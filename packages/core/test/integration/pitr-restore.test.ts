import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeInfo, type StanzaAnalysis } from '../../src/analysis/index.js';
import { parseInfo } from '../../src/info/index.js';
import { planRestore, RecoveryWindowError, type RestoreTargetOptions } from '../../src/pitr/index.js';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  startNativeStack,
  startRestoredCluster,
  writeRows,
} from '../../src/testing/index.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());

function asArgs(options: RestoreTargetOptions): string[] {
  return Object.entries(options).map(([key, value]) =>
    typeof value === 'boolean' ? (value ? `--${key}` : `--no-${key}`) : `--${key}=${String(value)}`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)(skip ?? 'planRestore drives a real point-in-time restore', () => {
  let stack: PgBackRestStack;
  let stanza: StanzaAnalysis;
  let between: string;
  const restored: string[] = [];

  const pgbackrest = (...args: string[]) =>
    stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, ...args], { timeout: 240_000 });

  beforeAll(async () => {
    stack = await startNativeStack({ repos: [{ type: 'posix' }], options: { 'start-fast': 'y' } });
    ensureSuccess('stanza-create', await pgbackrest('stanza-create'));
    await writeRows(stack, 200);
    ensureSuccess('backup', await pgbackrest('--type=full', 'backup'));
    await stack.psql("CREATE TABLE marker (name text); INSERT INTO marker VALUES ('before')");
    await sleep(1500);
    between = (await stack.psql(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)).trim();
    await sleep(1500);
    await stack.psql("INSERT INTO marker VALUES ('after')");
    ensureSuccess('check (archives the WAL holding both inserts)', await pgbackrest('check'));
    const info = ensureSuccess('info', await pgbackrest('--output=json', 'info'));
    stanza = analyzeInfo(parseInfo(info.stdout), { now: new Date() }).stanzas[0]!;
  }, 600_000);

  afterAll(async () => {
    for (const dir of restored) await stack?.exec('rm', ['-rf', dir]);
    await stack?.stop();
  });

  it('restores to a time between two commits and sees only the first', async () => {
    const plan = planRestore({ type: 'time', time: between, targetAction: 'promote' }, stanza);
    expect(plan.options.target).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+00$|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00$/,
    );
    expect(plan.backup.label).toBe(stanza.repositories[0]!.latest.full!.label);

    const dir = `${stack.pg.dataPath}-pitr`;
    restored.push(dir);
    ensureSuccess('mkdir', await stack.exec('mkdir', ['-m', '700', dir]));
    ensureSuccess(
      'restore',
      await pgbackrest(`--pg1-path=${dir}`, '--archive-mode=off', ...asArgs(plan.options), 'restore'),
    );
    await using cluster = await startRestoredCluster(stack, { dataPath: dir });
    const rows = await cluster.psql("SELECT pg_is_in_recovery(), string_agg(name, ',' ORDER BY name) FROM marker");
    expect(rows).toBe('f|before');
  }, 600_000);

  it('refuses a time before the earliest restorable point, naming the window', () => {
    const earliest = stanza.recoveryWindow.earliest!;
    const tooEarly = new Date(earliest.getTime() - 60_000);
    expect(() => planRestore({ type: 'time', time: tooEarly }, stanza)).toThrow(RecoveryWindowError);
    expect(() => planRestore({ type: 'time', time: tooEarly }, stanza)).toThrow(/earliest restorable point/);
  });
});
