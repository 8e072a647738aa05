import type { AnalyzedBackup, RepositoryAnalysis, StanzaAnalysis } from '../analysis/index.js';
import { NoBackupForTargetError, RecoveryWindowError, RestoreTargetError } from './errors.js';
import type { RestoreTarget, RestoreTargetOptions } from './target.js';
import { formatTargetTime, parseTargetTime } from './target-time.js';

/** What {@link planRestore} decided, checked against the analyzed repositories before anything runs. */
export interface RestorePlan {
  /** Repository the backup comes from. */
  readonly repoKey: number;
  /** Backup set pgBackRest will restore. */
  readonly backup: AnalyzedBackup;
  /** Options for the restore command (`type`, `target`, `target-action`, `set`, `repo`, …). */
  readonly options: RestoreTargetOptions;
  /** Things to know before running it (fallbacks, error-flagged backup, WAL that `info` cannot vouch for). */
  readonly notes: readonly string[];
}

const ALLOWED: Record<RestoreTarget['type'], readonly string[]> = {
  time: ['time', 'targetAction', 'exclusive', 'timeline'],
  xid: ['xid', 'targetAction', 'exclusive', 'timeline'],
  lsn: ['lsn', 'targetAction', 'exclusive', 'timeline'],
  name: ['name', 'targetAction', 'timeline'],
  immediate: ['targetAction'],
  default: ['timeline'],
  standby: ['timeline'],
};

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

function lsnValue(lsn: string): bigint {
  const match = LSN.exec(lsn);
  if (match === null) throw new RestoreTargetError(`LSN '${lsn}' must look like '0/16B3740' (two hex numbers).`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

function validate(target: RestoreTarget): void {
  const allowed = ALLOWED[target.type];
  if (allowed === undefined) {
    throw new RestoreTargetError(
      `Unknown restore target type '${String(target.type)}'; use one of ${Object.keys(ALLOWED).join(', ')}.`,
    );
  }
  for (const key of Object.keys(target)) {
    if (key !== 'type' && key !== 'set' && key !== 'repo' && !allowed.includes(key)) {
      throw new RestoreTargetError(
        `'${key}' does not apply to a '${target.type}' target; it accepts ${allowed.join(', ')}, set, repo.`,
      );
    }
  }
  if (target.repo !== undefined && !(Number.isInteger(target.repo) && target.repo >= 1 && target.repo <= 256)) {
    throw new RestoreTargetError(`repo must be an integer from 1 to 256, got ${String(target.repo)}.`);
  }
  if ('timeline' in target && target.timeline !== undefined) {
    const t = target.timeline;
    if (t !== 'current' && t !== 'latest' && !(Number.isInteger(t) && t >= 1)) {
      throw new RestoreTargetError(`timeline must be 'current', 'latest' or a positive integer, got ${String(t)}.`);
    }
  }
  if (target.type === 'xid' && !/^[1-9]\d*$/.test(String(target.xid))) {
    throw new RestoreTargetError(`xid must be a positive transaction id, got '${String(target.xid)}'.`);
  }
  if (target.type === 'name' && target.name.trim() === '') {
    throw new RestoreTargetError('name must be the non-empty name of a restore point.');
  }
  if (target.type === 'lsn') lsnValue(target.lsn);
}

function targetText(target: RestoreTarget): string | undefined {
  switch (target.type) {
    case 'time':
      return formatTargetTime(parseTargetTime(target.time));
    case 'xid':
      return String(target.xid);
    case 'lsn':
      return target.lsn.toUpperCase();
    case 'name':
      return target.name;
    default:
      return undefined;
  }
}

function candidateRepos(target: RestoreTarget, stanza: StanzaAnalysis): RepositoryAnalysis[] {
  if (target.repo === undefined) return stanza.repositories.filter((r) => r.backups.length > 0);
  const repo = stanza.repositories.find((r) => r.key === target.repo);
  if (repo === undefined) {
    const keys = stanza.repositories.map((r) => r.key).join(', ') || 'none';
    throw new NoBackupForTargetError(`Stanza '${stanza.name}' has no repo${target.repo}; repositories: ${keys}.`);
  }
  if (repo.backups.length === 0) {
    throw new NoBackupForTargetError(`repo${target.repo} of stanza '${stanza.name}' holds no backup to restore.`);
  }
  return [repo];
}

function newestWhere(repo: RepositoryAnalysis, accept: (b: AnalyzedBackup) => boolean): AnalyzedBackup | undefined {
  for (let i = repo.backups.length - 1; i >= 0; i--) if (accept(repo.backups[i]!)) return repo.backups[i];
  return undefined;
}

function describeWindow(repos: readonly RepositoryAnalysis[]): {
  earliest: Date | undefined;
  latestBackupStop: Date | undefined;
} {
  let earliest: Date | undefined;
  let latestBackupStop: Date | undefined;
  for (const { recoveryWindow: w } of repos) {
    if (w.earliest && (!earliest || w.earliest < earliest)) earliest = w.earliest;
    if (w.latestBackupStop && (!latestBackupStop || w.latestBackupStop > latestBackupStop))
      latestBackupStop = w.latestBackupStop;
  }
  return { earliest, latestBackupStop };
}

function select(target: RestoreTarget, repos: readonly RepositoryAnalysis[], stanza: StanzaAnalysis, notes: string[]) {
  if (target.set !== undefined) {
    for (const repo of repos) {
      const backup = repo.backups.find((b) => b.label === target.set);
      if (backup) return { repo, backup };
    }
    throw new NoBackupForTargetError(
      `Backup set '${target.set}' is not in ${repos.map((r) => `repo${r.key}`).join(', ') || 'any repository'} of stanza '${stanza.name}'.`,
    );
  }
  if (repos.length === 0) throw new NoBackupForTargetError(`Stanza '${stanza.name}' has no backup to restore.`);

  if (target.type === 'time') {
    const targetSeconds = Math.floor(parseTargetTime(target.time).getTime() / 1000);
    for (const repo of repos) {
      const backup = newestWhere(repo, (b) => b.stoppedAtEpoch < targetSeconds);
      if (backup) return { repo, backup };
    }
    const window = describeWindow(repos);
    throw new RecoveryWindowError(
      `Target time ${formatTargetTime(parseTargetTime(target.time))} is before the earliest restorable point` +
        (window.earliest ? ` ${formatTargetTime(window.earliest)}` : '') +
        ` of stanza '${stanza.name}' (no backup ends before it; pgBackRest would fall back to the latest backup and` +
        ' recovery could not reach the target). Pick a time after the earliest restorable point.',
      window,
    );
  }
  if (target.type === 'lsn') {
    const wanted = lsnValue(target.lsn);
    for (const repo of repos) {
      const backup = newestWhere(repo, (b) => b.lsn !== undefined && lsnValue(b.lsn.stop) <= wanted);
      if (backup) return { repo, backup };
    }
    throw new NoBackupForTargetError(
      `No backup of stanza '${stanza.name}' ends at or before LSN ${target.lsn.toUpperCase()} (backups before pgBackRest 2.38 carry no LSN).`,
    );
  }
  const repo = repos[0]!;
  const backup = repo.backups.at(-1)!;
  if (target.type === 'xid' || target.type === 'name') {
    notes.push(
      `pgBackRest restores the latest backup (${backup.label}) for a ${target.type} target; if the target precedes its end (${formatTargetTime(backup.stoppedAt)}), pass 'set' with an older backup.`,
    );
  }
  return { repo, backup };
}

/**
 * Checks a restore target against an analyzed stanza before anything runs, picks the repository and backup set
 * pgBackRest will use, and renders the restore options.
 *
 * Selection follows pgBackRest: with `set`, the first repository (in key order, or `repo`) holding that set; for a
 * time target, the newest backup whose stop time is before the target (whole seconds), in the first repository that
 * has one; for an LSN target, the newest backup whose stop LSN is at or before it; otherwise the latest backup of the
 * first repository with backups. Where pgBackRest would silently fall back to the latest backup (a time before every
 * backup), this throws instead.
 *
 * @throws {RestoreTargetError} malformed target (offset-less time, bad LSN, option not valid for the type).
 * @throws {RecoveryWindowError} a time before the earliest restorable point; the error carries the window.
 * @throws {NoBackupForTargetError} unknown set or repository, no backups, or no backup before an LSN target.
 * @example
 * const stanza = analyzeInfo(parseInfo(stdout), { now: new Date() }).stanzas[0]!;
 * const plan = planRestore({ type: 'time', time: '2026-11-24T03:00:00+01:00', targetAction: 'promote' }, stanza);
 * plan.options; // { type: 'time', target: '2026-11-24 02:00:00+00', 'target-action': 'promote', set: '…F', repo: 1 }
 */
export function planRestore(target: RestoreTarget, stanza: StanzaAnalysis): RestorePlan {
  validate(target);
  const text = targetText(target);
  const notes: string[] = [];
  const repos = candidateRepos(target, stanza);
  const { repo, backup } = select(target, repos, stanza, notes);

  if (target.type === 'time' && target.set !== undefined) {
    const targetSeconds = Math.floor(parseTargetTime(target.time).getTime() / 1000);
    if (backup.stoppedAtEpoch >= targetSeconds) {
      throw new RecoveryWindowError(
        `Backup set '${backup.label}' ends at ${formatTargetTime(backup.stoppedAt)}, not before the target ${text}; choose an older set or a later time.`,
        describeWindow([repo]),
      );
    }
  }
  if (backup.error)
    notes.push(`Backup ${backup.label} has pgBackRest error flags (page checksum errors); check before relying on it.`);
  if (!backup.walInArchive) {
    notes.push(
      `The WAL backup ${backup.label} needs (${backup.wal.start ?? '?'}..${backup.wal.stop ?? '?'}) is not inside the archive range info reports for repo${repo.key}; the restore may not reach consistency.`,
    );
  }
  if (target.type === 'time' || target.type === 'default' || target.type === 'standby') {
    notes.push(
      `Recovery replays archived WAL after ${formatTargetTime(backup.stoppedAt)}; info shows WAL up to segment ${repo.recoveryWindow.newestWal ?? 'unknown'} but not its time or gaps (run verify to be sure).`,
    );
  }

  const timeline = 'timeline' in target && target.timeline !== undefined ? String(target.timeline) : undefined;
  const options: RestoreTargetOptions = {
    type: target.type,
    ...(text === undefined ? {} : { target: text }),
    ...('targetAction' in target && target.targetAction !== undefined ? { 'target-action': target.targetAction } : {}),
    ...('exclusive' in target && target.exclusive !== undefined ? { 'target-exclusive': target.exclusive } : {}),
    ...(timeline === undefined ? {} : { 'target-timeline': timeline }),
    set: backup.label,
    repo: repo.key,
  };
  return { repoKey: repo.key, backup, options, notes };
}
