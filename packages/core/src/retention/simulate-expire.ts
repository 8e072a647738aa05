import type { AnalyzedBackup, ArchiveRange, RepositoryAnalysis } from '../analysis/index.js';
import { type RetentionPolicy, validateRetentionPolicy } from './retention-policy.js';
import { nextWalSegment, previousWalSegment } from './wal-segment.js';

/** Why a set of backups expires, named as pgBackRest logs it (`expire full backup …`). */
export type ExpireReason = 'full' | 'diff' | 'time-based';

/** One expiration step: a backup and every backup depending on it, oldest first. */
export interface ExpiredSet {
  readonly reason: ExpireReason;
  /** The backup the rule selected. */
  readonly label: string;
  /** It and its dependents, oldest first (as in pgBackRest's `expire … backup set A, B` line). */
  readonly labels: readonly string[];
  /** In words. */
  readonly explanation: string;
}

/**
 * WAL that expire removes from one archive id: every archived segment `s` with `after < s < before` (or from the
 * archive's first segment when `after` is null). `start`/`stop` are the inclusive bounds when they can be known: the
 * archive's own `min`, or neighbours computed with `walSegmentSize`. Which segments exist in between is not in `info`.
 */
export interface ExpiredWalRange {
  readonly archiveId: string;
  readonly after: string | null;
  readonly before: string;
  readonly start: string | undefined;
  readonly stop: string | undefined;
  /** Why this WAL goes. */
  readonly reason: string;
}

/** Options for {@link simulateExpire}. */
export interface SimulateExpireOptions {
  /** The moment expire runs (time-based retention and history are measured from it). */
  readonly now: Date;
  /** WAL segment size in bytes (e.g. 16 MiB), to give inclusive `start`/`stop` of removed WAL. Not in `info`. */
  readonly walSegmentSize?: number;
  /** Archive ranges, when `backups` is given as a plain array. */
  readonly archives?: readonly ArchiveRange[];
}

/** What `pgbackrest expire` would do to one repository. */
export interface ExpireSimulation {
  /** Expiration steps in the order pgBackRest takes them. */
  readonly expired: readonly ExpiredSet[];
  /** Labels of every expired backup, oldest first. */
  readonly expiredLabels: readonly string[];
  /** Labels of the backups that remain, oldest first. */
  readonly retainedLabels: readonly string[];
  /** The archive retention pgBackRest applies after its defaulting rules (undefined: WAL is not expired). */
  readonly archiveRetention: { readonly count: number; readonly type: 'full' | 'diff' | 'incr' } | undefined;
  /** WAL ranges removed. */
  readonly expiredWal: readonly ExpiredWalRange[];
  /** Archive ids removed entirely (old database ids with no backup left). */
  readonly expiredArchiveIds: readonly string[];
  /** Backup history manifests older than this are removed (`repo-retention-history`), except for current backups. */
  readonly historyCutoff: Date | undefined;
  /** Explanations, including the time-based full retention behaviour and anything `info` cannot show. */
  readonly notes: readonly string[];
}

const DAY_SECONDS = 86_400;

function isRepository(input: RepositoryAnalysis | readonly AnalyzedBackup[]): input is RepositoryAnalysis {
  return !Array.isArray(input);
}

/**
 * Predicts which backups and which WAL `pgbackrest expire` removes from one repository under a retention policy,
 * following pgBackRest's own rules and order: full retention (count, or time: the newest full that stopped before
 * `now - N days` is the oldest kept, so a full expires only once a NEWER full is at least N days old), then diff
 * retention (fulls count as diffs), then archive retention with its defaults (`retention-archive` defaults to
 * `retention-full` for type full/count, to `retention-diff` for type diff, and for time-based full retention to the
 * number of fulls left once one has expired), keeping the WAL every retained backup needs to be consistent.
 *
 * @example
 * const repo = analyzeInfo(parseInfo(stdout), { now }).stanzas[0]!.repositories[0]!;
 * const plan = simulateExpire(repo, { full: 2, diff: 3 }, { now, walSegmentSize: 16 * 1024 * 1024 });
 * plan.expiredLabels; // ['20261101-010000F', '20261101-010000F_20261102-010000D', …]
 */
export function simulateExpire(
  backups: RepositoryAnalysis | readonly AnalyzedBackup[],
  retention: RetentionPolicy,
  options: SimulateExpireOptions,
): ExpireSimulation {
  validateRetentionPolicy(retention);
  const all = isRepository(backups) ? backups.backups : backups;
  const archives = isRepository(backups) ? backups.archives : (options.archives ?? []);
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  const notes: string[] = [];
  const expired: ExpiredSet[] = [];

  const current = [...all].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const remove = (label: string, reason: ExpireReason, explanation: string) => {
    const set = new Set([label]);
    for (const b of current) if (b.prior !== null && set.has(b.prior)) set.add(b.label);
    const labels = current.filter((b) => set.has(b.label)).map((b) => b.label);
    for (let i = current.length - 1; i >= 0; i--) if (set.has(current[i]!.label)) current.splice(i, 1);
    expired.push({ reason, label, labels, explanation });
  };
  const fulls = () => current.filter((b) => b.type === 'full');

  const fullType = retention.fullType ?? 'count';
  let archiveCount = retention.archive;
  const archiveType = retention.archiveType ?? 'full';

  if (fullType === 'time') {
    if (retention.full === undefined) {
      notes.push('retention-full-type is time but retention-full is not set: no backup expires.');
    } else {
      const days = retention.full;
      const cutoff = nowSeconds - days * DAY_SECONDS;
      const list = fulls();
      let keep: AnalyzedBackup | undefined;
      for (let i = list.length - 1; i >= 0; i--) {
        keep = list[i];
        if (keep!.stoppedAtEpoch < cutoff) break;
      }
      let expiredFulls = 0;
      if (keep !== undefined) {
        while (current.length > 0 && current[0]!.label !== keep.label) {
          remove(
            current[0]!.label,
            'time-based',
            `older than full ${keep.label}, which stopped more than ${days} day(s) before now`,
          );
          expiredFulls++;
        }
      }
      notes.push(
        `Time-based full retention keeps every full newer than ${days} day(s) plus the newest full older than that: a full expires only once a newer full is itself at least ${days} day(s) old, so with one full per period two fulls are usually kept.`,
      );
      if (archiveType === 'full' && archiveCount === undefined && expiredFulls > 0) {
        archiveCount = list.length - expiredFulls;
      }
      if (keep !== undefined && expiredFulls === 0 && list.length > 0) {
        const newerFull = list.find((f) => f.label > keep!.label);
        const oldest = list[0]!;
        notes.push(
          newerFull === undefined
            ? `Full ${oldest.label} cannot expire before a newer full exists and is ${days} day(s) old.`
            : `Full ${oldest.label} expires once full ${newerFull.label} is ${days} day(s) old (${new Date((newerFull.stoppedAtEpoch + days * DAY_SECONDS) * 1000).toISOString()}).`,
        );
      }
    }
  } else if (retention.full === undefined) {
    notes.push('retention-full is not set: full backups never expire and the repository may run out of space.');
  } else {
    const list = fulls();
    for (let i = 0; i < list.length - retention.full; i++) {
      remove(list[i]!.label, 'full', `more than ${retention.full} full backup(s) are newer`);
    }
  }

  if (retention.diff !== undefined) {
    const list = current.filter((b) => b.type !== 'incr');
    for (let i = 0; i < list.length - retention.diff; i++) {
      const b = list[i]!;
      if (b.type === 'full') continue;
      remove(b.label, 'diff', `more than ${retention.diff} newer full/diff backup(s)`);
    }
  }

  if (archiveCount === undefined) {
    if (archiveType === 'full' && fullType === 'count' && retention.full !== undefined) archiveCount = retention.full;
    else if (archiveType === 'diff' && retention.diff !== undefined) archiveCount = retention.diff;
  }

  const expiredWal: ExpiredWalRange[] = [];
  const expiredArchiveIds: string[] = [];
  if (archiveCount === undefined) {
    notes.push(
      fullType === 'time'
        ? 'Time-based archive retention not met: WAL is not expired.'
        : 'retention-archive is not set (and has no default here): WAL is not expired.',
    );
  } else {
    const typed = current.filter(
      (b) => archiveType === 'incr' || b.type === 'full' || (archiveType === 'diff' && b.type === 'diff'),
    );
    if (typed.length === 0 || archiveCount > typed.length) {
      notes.push(`Fewer than ${archiveCount} ${archiveType} backup(s) remain: too soon to expire WAL.`);
    } else {
      const keepForPitr = new Set(typed.slice(-archiveCount).map((b) => b.label));
      const currentDbId = Math.max(...archives.map((a) => a.databaseId));
      for (const archive of archives) {
        const local = typed.filter((b) => b.databaseId === archive.databaseId);
        if (local.length === 0) {
          if (archive.databaseId !== currentDbId) expiredArchiveIds.push(archive.archiveId);
          continue;
        }
        const retained = local.filter((b) => keepForPitr.has(b.label));
        const anchor = retained[0] ?? local.at(-1)!;
        if (anchor.wal.start === null || archive.min === null) continue;
        const ranges = current
          .filter((b) => b.databaseId === archive.databaseId && b.label <= anchor.label && b.wal.start !== null)
          .map((b) => ({ start: b.wal.start!, stop: b.label === anchor.label ? null : b.wal.stop }))
          .sort((a, b) => (a.start < b.start ? -1 : 1));
        let after: string | null = null;
        for (const range of ranges) {
          const startsAfterCursor = after === null ? range.start > archive.min : range.start > after;
          if (startsAfterCursor) {
            const reason =
              `archive retention keeps WAL for the ${archiveCount} newest ${archiveType} backup(s) from ${anchor.label} on; ` +
              'older backups keep only the WAL that makes them consistent, so this WAL is needed by no retained backup';
            const gap = walGap(archive, after, range.start, options.walSegmentSize, reason);
            if (gap !== undefined) expiredWal.push(gap);
          }
          if (range.stop === null) break;
          if (after === null || range.stop > after) after = range.stop;
        }
      }
    }
  }

  let historyCutoff: Date | undefined;
  if (retention.history !== undefined) {
    historyCutoff = new Date((nowSeconds - retention.history * DAY_SECONDS) * 1000);
    notes.push(
      `Backup history manifests of expired backups dated before ${historyCutoff.toISOString().slice(0, 10)} are removed (pgBackRest compares label dates in the host's local time); info does not list them.`,
    );
  }

  const expiredLabels = expired.flatMap((e) => e.labels).sort();
  return {
    expired,
    expiredLabels,
    retainedLabels: current.map((b) => b.label),
    archiveRetention: archiveCount === undefined ? undefined : { count: archiveCount, type: archiveType },
    expiredWal,
    expiredArchiveIds,
    historyCutoff,
    notes,
  };
}

function walGap(
  archive: ArchiveRange,
  after: string | null,
  before: string,
  segmentSize: number | undefined,
  reason: string,
): ExpiredWalRange | undefined {
  const min = archive.min!;
  let start: string | undefined = after === null ? min : undefined;
  let stop: string | undefined;
  if (segmentSize !== undefined) {
    if (after !== null) start = nextWalSegment(after, segmentSize);
    if (start !== undefined && start < min) start = min;
    stop = previousWalSegment(before, segmentSize);
    if (archive.max !== null && stop > archive.max) stop = archive.max;
    if (start !== undefined && start > stop) return undefined;
  }
  return { archiveId: archive.archiveId, after, before, start, stop, reason };
}
