import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeInfo, type RepositoryAnalysis } from '../../src/analysis/index.js';
import { runProcess } from '../../src/exec/process.js';
import { parseInfo } from '../../src/info/index.js';
import {
  type ExpireLogEntry,
  parseExpireLog,
  type RetentionPolicy,
  retentionToOptions,
  simulateExpire,
} from '../../src/retention/index.js';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  startNativeStack,
  switchWal,
  writeRows,
} from '../../src/testing/index.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());
const faketimeSkip = await integrationGate({
  available: (await runProcess({ file: 'faketime', args: ['-f', '+0', 'true'] })).exitCode === 0,
  reason: 'no faketime (apt-get install -y faketime)',
});
const WAL_SEGMENT_SIZE = 16 * 1024 * 1024;

function expectSameOutcome(
  log: readonly ExpireLogEntry[],
  repo: RepositoryAnalysis,
  retention: RetentionPolicy,
  now: Date,
) {
  const simulation = simulateExpire(repo, retention, { now, walSegmentSize: WAL_SEGMENT_SIZE });
  const sets = log.flatMap((e) => (e.kind === 'expire-set' ? [{ reason: e.reason, labels: e.labels }] : []));
  const removed = log.flatMap((e) => (e.kind === 'remove-backup' ? [e.label] : [])).sort();
  const wal = log.flatMap((e) => (e.kind === 'remove-archive' ? [[e.archiveId, e.start, e.stop]] : []));
  expect(simulation.expired.map((e) => ({ reason: e.reason, labels: e.labels }))).toEqual(sets);
  expect(simulation.expiredLabels).toEqual(removed);
  expect(simulation.expiredWal.map((w) => [w.archiveId, w.start, w.stop])).toEqual(wal);
  const walKept = log.some((e) => e.kind === 'archive-not-expired');
  expect(simulation.archiveRetention === undefined).toBe(walKept);
  return simulation;
}

describe.skipIf(skip)(skip ?? 'simulateExpire equals pgbackrest expire --dry-run on a real repository', () => {
  let stack: PgBackRestStack;
  let repo: RepositoryAnalysis;

  const pgbackrest = (args: string[], env?: Record<string, string>, wrap: string[] = []) =>
    stack.exec(
      wrap.length > 0 ? wrap[0]! : 'pgbackrest',
      [...wrap.slice(1), ...(wrap.length > 0 ? ['pgbackrest'] : []), `--stanza=${stack.stanza}`, ...args],
      {
        timeout: 240_000,
        ...(env === undefined ? {} : { env }),
      },
    );

  async function dryRun(retention: RetentionPolicy, wrap: string[] = []): Promise<ExpireLogEntry[]> {
    const options = Object.entries(retentionToOptions(retention, 1)).map(([k, v]) => `--${k}=${v}`);
    const result = ensureSuccess(
      'expire --dry-run',
      await pgbackrest(['--dry-run', '--log-level-console=detail', ...options, 'expire'], { TZ: 'UTC' }, wrap),
    );
    const entries = parseExpireLog(result.stdout);
    expect(entries.every((e) => e.dryRun)).toBe(true);
    return entries;
  }

  beforeAll(async () => {
    stack = await startNativeStack({
      repos: [{ type: 'posix' }],
      options: { 'start-fast': 'y', 'compress-type': 'lz4' },
    });
    ensureSuccess('stanza-create', await pgbackrest(['stanza-create']));
    for (const [i, type] of ['full', 'diff', 'incr', 'diff', 'full', 'incr', 'full', 'incr'].entries()) {
      await writeRows(stack, 500);
      await switchWal(stack);
      if (i === 6) await new Promise((resolve) => setTimeout(resolve, 6_000));
      ensureSuccess(`backup ${type}`, await pgbackrest([`--type=${type}`, 'backup']));
    }
    await switchWal(stack);
    const info = ensureSuccess('info', await pgbackrest(['--output=json', 'info']));
    repo = analyzeInfo(parseInfo(info.stdout), { now: new Date() }).stanzas[0]!.repositories[0]!;
    expect(repo.backups.map((b) => b.type)).toEqual(['full', 'diff', 'incr', 'diff', 'full', 'incr', 'full', 'incr']);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it.each<[string, RetentionPolicy, number, boolean]>([
    ['full count 1', { full: 1 }, 6, true],
    ['full count 2', { full: 2 }, 4, true],
    ['full count 3 (nothing to expire)', { full: 3 }, 0, true],
    ['diff count 1', { diff: 1 }, 3, false],
    ['diff count 3', { diff: 3 }, 2, false],
    ['full 2 + diff 1', { full: 2, diff: 1 }, 4, true],
    ['full 3, WAL for the newest full only', { full: 3, archive: 1 }, 0, true],
    ['full 3, WAL for 2 diffs', { full: 3, archive: 2, archiveType: 'diff' }, 0, true],
    ['full 3, WAL for 3 backups of any type', { full: 3, archive: 3, archiveType: 'incr' }, 0, true],
    ['diff 2, archive type diff defaults to the diff count', { diff: 2, archiveType: 'diff' }, 3, true],
  ])('count retention: %s', async (_name, retention, expiredBackups, walExpired) => {
    const log = await dryRun(retention);
    expect(log.filter((e) => e.kind === 'remove-backup')).toHaveLength(expiredBackups);
    expect(log.some((e) => e.kind === 'remove-archive')).toBe(walExpired);
    expectSameOutcome(log, repo, retention, new Date());
  });

  it.skipIf(faketimeSkip)(
    faketimeSkip ?? 'time retention: fulls expire once a newer full is N days old (expire run 1 day later)',
    async () => {
      const fulls = repo.backups.filter((b) => b.type === 'full');
      const [first, second, third] = fulls.map((b) => b.stoppedAt.getTime());
      const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
      const fake = (d: Date) => ['faketime', '-f', `@${d.toISOString().slice(0, 19).replace('T', ' ')}`];

      const justAfterSecond = at(second! + (third! - second!) / 2 + 86_400_000);
      const expired = expectSameOutcome(
        await dryRun({ full: 1, fullType: 'time' }, fake(justAfterSecond)),
        repo,
        { full: 1, fullType: 'time' },
        justAfterSecond,
      );
      expect(expired.expired.map((e) => e.label)).toEqual([fulls[0]!.label]);

      const justAfterFirst = at(first! + 2_000 + 86_400_000);
      const kept = expectSameOutcome(
        await dryRun({ full: 1, fullType: 'time' }, fake(justAfterFirst)),
        repo,
        { full: 1, fullType: 'time' },
        justAfterFirst,
      );
      expect(kept.expiredLabels).toEqual([]);
      expect(kept.notes.join('\n')).toMatch(/expires once full/);
    },
  );
});
