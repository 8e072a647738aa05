import type { ArchiveInfo, BackupInfo, BackupLock, Info, StanzaInfo } from '../info/index.js';
import { AnalyzedBackupRecord } from './analyzed-backup.js';
import type { RestorableInstant } from './restorable-instant.js';
import type {
  AnalyzedBackup,
  AnalyzeOptions,
  ArchiveRange,
  BackupChain,
  InfoAnalysis,
  OperationProgress,
  RecoveryWindow,
  RepositoryAnalysis,
  StanzaAnalysis,
} from './types.js';

const DEFAULT_REPO_KEY = 1;

interface LockProgress {
  readonly held: boolean;
  readonly size?: number | undefined;
  readonly 'size-cplt'?: number | undefined;
}

/** A lock's progress as the analysis reports it (shared with {@link analyzeProgress}). */
export function progressOf(lock: LockProgress | undefined, perRepo: BackupLock['repo']): OperationProgress {
  const total = lock?.size;
  const completed = lock?.['size-cplt'];
  return {
    running: lock?.held ?? false,
    totalBytes: total,
    completedBytes: completed,
    fraction: total !== undefined && completed !== undefined && total > 0 ? Math.min(1, completed / total) : undefined,
    perRepo: (perRepo ?? []).map((r) => ({
      repoKey: r.key,
      ...(r.size === undefined ? {} : { totalBytes: r.size }),
      ...(r['size-cplt'] === undefined ? {} : { completedBytes: r['size-cplt'] }),
    })),
  };
}

function rangeCovers(range: ArchiveRange | undefined, start: string | null, stop: string | null): boolean {
  if (range?.min == null || range.max == null || start === null || stop === null) return false;
  return range.min <= start && stop <= range.max;
}

function toArchiveRange(archive: ArchiveInfo, stanza: StanzaInfo, repoKey: number): ArchiveRange {
  const db = stanza.db.find((d) => d.id === archive.database.id && (d['repo-key'] ?? DEFAULT_REPO_KEY) === repoKey);
  return {
    databaseId: archive.database.id,
    archiveId: archive.id,
    systemId: db?.['system-id'],
    pgVersion: db?.version,
    min: archive.min,
    max: archive.max,
  };
}

function byStopThenLabel(a: BackupInfo, b: BackupInfo): number {
  return a.timestamp.stop - b.timestamp.stop || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

function isSortedByStop(backups: readonly BackupInfo[]): boolean {
  for (let i = 1; i < backups.length; i++) if (byStopThenLabel(backups[i - 1]!, backups[i]!) > 0) return false;
  return true;
}

function analyzeRepository(
  key: number,
  stanza: StanzaInfo,
  backups: BackupInfo[],
  archives: ArchiveInfo[],
  nowMs: number,
): RepositoryAnalysis {
  const repo = stanza.repo?.find((r) => r.key === key);
  const ranges = archives.map((a) => toArchiveRange(a, stanza, key));
  const rangeByDb = new Map(ranges.map((r) => [r.databaseId, r]));
  const sorted = isSortedByStop(backups) ? backups : backups.slice().sort(byStopThenLabel);
  const labels = new Set<string>();
  for (const b of sorted) labels.add(b.label);
  // A diff/incr label starts with its full's label; the chain holds when that full and the prior are present.
  const resolveFull = (b: BackupInfo): string | undefined => {
    if (b.type === 'full') return b.label;
    const full = b.label.slice(0, b.label.indexOf('_'));
    return labels.has(full) && b.prior !== null && labels.has(b.prior) ? full : undefined;
  };

  const analyzed: AnalyzedBackup[] = sorted.map(
    (b) =>
      new AnalyzedBackupRecord(
        b,
        key,
        nowMs,
        resolveFull(b),
        rangeCovers(rangeByDb.get(b.database.id), b.archive.start, b.archive.stop),
      ),
  );

  const chainByFull = new Map<string, { full: AnalyzedBackup; dependents: AnalyzedBackup[] }>();
  const orphans: AnalyzedBackup[] = [];
  for (const b of analyzed) if (b.type === 'full') chainByFull.set(b.label, { full: b, dependents: [] });
  for (const b of analyzed) {
    if (b.type === 'full') continue;
    const chain = b.fullLabel === undefined ? undefined : chainByFull.get(b.fullLabel);
    if (chain === undefined) orphans.push(b);
    else chain.dependents.push(b);
  }

  const latest: { full?: AnalyzedBackup; diff?: AnalyzedBackup; incr?: AnalyzedBackup } = {};
  for (const b of analyzed) latest[b.type] = b;

  const restorable = analyzed.filter((b) => !b.error && b.walInArchive);
  const newest = restorable.at(-1);
  return {
    key,
    cipher: repo?.cipher,
    status: repo === undefined ? undefined : { ...repo.status, ok: repo.status.code === 0 },
    backups: analyzed,
    chains: [...chainByFull.values()] satisfies BackupChain[],
    orphans,
    latest,
    errorBackups: analyzed.filter((b) => b.error),
    archives: ranges,
    recoveryWindow: {
      earliest: restorable[0]?.stoppedAt,
      latestBackupStop: newest?.stoppedAt,
      newestWal: newest === undefined ? null : (rangeByDb.get(newest.databaseId)?.max ?? null),
    },
  };
}

function pushTo<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function widest(windows: readonly RecoveryWindow[]): RecoveryWindow {
  let earliest: Date | undefined;
  let latestBackupStop: Date | undefined;
  let newestWal: string | null = null;
  for (const w of windows) {
    if (w.earliest !== undefined && (earliest === undefined || w.earliest < earliest)) earliest = w.earliest;
    if (w.latestBackupStop !== undefined && (latestBackupStop === undefined || w.latestBackupStop > latestBackupStop)) {
      latestBackupStop = w.latestBackupStop;
    }
    if (w.newestWal !== null && (newestWal === null || w.newestWal > newestWal)) newestWal = w.newestWal;
  }
  return { earliest, latestBackupStop, newestWal };
}

function analyzeStanza(stanza: StanzaInfo, nowMs: number): StanzaAnalysis {
  const keys = new Set<number>(stanza.repo?.map((r) => r.key) ?? []);
  const backupsByRepo = new Map<number, BackupInfo[]>();
  const archivesByRepo = new Map<number, ArchiveInfo[]>();
  for (const b of stanza.backup) {
    const key = b.database['repo-key'] ?? DEFAULT_REPO_KEY;
    keys.add(key);
    pushTo(backupsByRepo, key, b);
  }
  for (const a of stanza.archive) {
    const key = a.database['repo-key'] ?? DEFAULT_REPO_KEY;
    keys.add(key);
    pushTo(archivesByRepo, key, a);
  }
  const repositories = [...keys]
    .sort((a, b) => a - b)
    .map((key) => analyzeRepository(key, stanza, backupsByRepo.get(key) ?? [], archivesByRepo.get(key) ?? [], nowMs));
  const lock = stanza.status.lock;
  return {
    name: stanza.name,
    status: { code: stanza.status.code, message: stanza.status.message, ok: stanza.status.code === 0 },
    cipher: stanza.cipher,
    databases: stanza.db.map((d) => ({
      id: d.id,
      repoKey: d['repo-key'] ?? DEFAULT_REPO_KEY,
      systemId: d['system-id'],
      pgVersion: d.version,
    })),
    repositories,
    recoveryWindow: widest(repositories.map((r) => r.recoveryWindow)),
    backup: progressOf(lock?.backup, lock?.backup.repo),
    restore: progressOf(lock?.restore, undefined),
  };
}

function withRestorableInstant(
  stanza: StanzaAnalysis,
  instants: readonly RestorableInstant[] | undefined,
): StanzaAnalysis {
  const at = instants?.find((i) => i.stanza === stanza.name)?.lastCommitAt;
  return at === undefined ? stanza : { ...stanza, recoveryWindow: { ...stanza.recoveryWindow, latestRestorable: at } };
}

/**
 * Turns parsed `info` into what an operator asks: per stanza and repository the backup chains, the latest backup of
 * each type and its age, error-flagged backups, archive ranges per database id, the WAL each backup needs, the
 * recovery window that `info` can vouch for, and running backup/restore progress. Pure and linear in the input.
 *
 * @example
 * const analysis = analyzeInfo(parseInfo(stdout), { now: new Date() });
 * const repo1 = analysis.stanzas[0]?.repositories[0];
 * console.log(repo1?.latest.full?.ageSeconds, repo1?.recoveryWindow.earliest);
 */
export function analyzeInfo(info: Info, options: AnalyzeOptions): InfoAnalysis {
  const nowMs = options.now.getTime();
  return {
    now: options.now,
    stanzas: info.map((stanza) => withRestorableInstant(analyzeStanza(stanza, nowMs), options.restorableInstants)),
  };
}
