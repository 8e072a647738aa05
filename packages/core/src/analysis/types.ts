import type { BackupInfo, BackupType, RepoStatusCode, StanzaStatusCode, SystemId } from '../info/index.js';
import type { RestorableInstant } from './restorable-instant.js';

/** Options for {@link analyzeInfo}. */
export interface AnalyzeOptions {
  /** The moment ages are measured from. Required so the analysis is a pure function of its input. */
  readonly now: Date;
  /**
   * The newest restorable instant per stanza, read from the newest archived WAL (a verify report's
   * `newestRestorableInstant`, see {@link restorableInstantsFromVerifyReport}). Sets
   * {@link RecoveryWindow.latestRestorable}.
   */
  readonly restorableInstants?: readonly RestorableInstant[];
}

/** One backup set, with times as `Date` and its place in the chain. */
export interface AnalyzedBackup {
  readonly label: string;
  readonly type: BackupType;
  readonly repoKey: number;
  readonly databaseId: number;
  readonly startedAt: Date;
  readonly stoppedAt: Date;
  /** `timestamp.start` as pgBackRest reports it: seconds since the epoch. */
  readonly startedAtEpoch: number;
  /** `timestamp.stop`: seconds since the epoch. */
  readonly stoppedAtEpoch: number;
  /** Seconds between `stoppedAt` and `now` (negative if the backup stopped after `now`). */
  readonly ageSeconds: number;
  /** Label of the full backup this backup depends on (itself for a full); `undefined` when the chain is broken. */
  readonly fullLabel: string | undefined;
  readonly prior: string | null;
  readonly references: readonly string[];
  /** WAL this backup needs to be consistent: `archive.start`..`archive.stop` (null when unknown). */
  readonly wal: { readonly start: string | null; readonly stop: string | null };
  /** Whether the WAL range lies inside the archive range reported for its database id in this repository. */
  readonly walInArchive: boolean;
  /** pgBackRest flagged checksum/page errors (`error: true`, 2.36+). The backup still restores. */
  readonly error: boolean;
  readonly lsn: { readonly start: string; readonly stop: string } | undefined;
  readonly annotation: Readonly<Record<string, string>> | undefined;
  /** Size of the database at backup time, bytes. */
  readonly size: number;
  /** The backup as `info` reported it. */
  readonly raw: BackupInfo;
}

/** A full backup with every diff/incr that depends on it, oldest first. */
export interface BackupChain {
  readonly full: AnalyzedBackup;
  readonly dependents: readonly AnalyzedBackup[];
}

/** WAL kept in one repository for one database id. */
export interface ArchiveRange {
  readonly databaseId: number;
  /** Archive id as in the repository path, e.g. `15-1`. */
  readonly archiveId: string;
  readonly systemId: SystemId | undefined;
  readonly pgVersion: string | undefined;
  /** Oldest and newest WAL segment present (null when the archive is empty). */
  readonly min: string | null;
  readonly max: string | null;
}

/**
 * What can be restored, as far as `info` tells. `earliest` is the stop time of the oldest backup that is not
 * error-flagged and whose WAL lies in the archive range: the first point a restore reaches consistency.
 * `latestBackupStop` is the newest such backup's stop time: a point certainly reachable. WAL up to `newestWal` is in
 * the repository, so recovery can replay further, but `info` does not record the time of that WAL, nor whether the
 * archive has gaps between `min` and `max` (run verify for that).
 */
export interface RecoveryWindow {
  readonly earliest: Date | undefined;
  readonly latestBackupStop: Date | undefined;
  /** Newest archived WAL segment for the database id of the newest backup. */
  readonly newestWal: string | null;
  /**
   * The last commit in the newest archived WAL, when a verify report gave it (stanza level): the newest
   * time a point-in-time recovery reaches.
   */
  readonly latestRestorable?: Date;
}

/** Progress of a running backup or restore (sizes from 2.48, per-repo from 2.59). */
export interface OperationProgress {
  readonly running: boolean;
  readonly totalBytes: number | undefined;
  readonly completedBytes: number | undefined;
  /** completed / total in [0, 1], when both are known. */
  readonly fraction: number | undefined;
  readonly perRepo: readonly {
    readonly repoKey: number;
    readonly totalBytes?: number;
    readonly completedBytes?: number;
  }[];
}

/** One repository of a stanza. */
export interface RepositoryAnalysis {
  readonly key: number;
  readonly cipher: string | undefined;
  readonly status: { readonly code: RepoStatusCode; readonly message: string; readonly ok: boolean } | undefined;
  /** Backups oldest first (by stop time). */
  readonly backups: readonly AnalyzedBackup[];
  readonly chains: readonly BackupChain[];
  /** Backups whose prior is not in the repository. */
  readonly orphans: readonly AnalyzedBackup[];
  readonly latest: { readonly full?: AnalyzedBackup; readonly diff?: AnalyzedBackup; readonly incr?: AnalyzedBackup };
  readonly errorBackups: readonly AnalyzedBackup[];
  readonly archives: readonly ArchiveRange[];
  readonly recoveryWindow: RecoveryWindow;
}

/** One stanza. */
export interface StanzaAnalysis {
  readonly name: string;
  readonly status: { readonly code: StanzaStatusCode; readonly message: string; readonly ok: boolean };
  readonly cipher: string;
  readonly databases: readonly {
    readonly id: number;
    readonly repoKey: number;
    readonly systemId: SystemId;
    readonly pgVersion: string;
  }[];
  readonly repositories: readonly RepositoryAnalysis[];
  /** Widest window over all repositories. */
  readonly recoveryWindow: RecoveryWindow;
  readonly backup: OperationProgress;
  readonly restore: OperationProgress;
}

/** The result of {@link analyzeInfo}. */
export interface InfoAnalysis {
  readonly now: Date;
  readonly stanzas: readonly StanzaAnalysis[];
}

/** One stanza's running operations, as {@link analyzeProgress} reports them. */
export interface StanzaProgress {
  readonly name: string;
  /** In progress mode pgBackRest reads no backup.info or archive.info: a stanza whose data is missing still reports 0. */
  readonly status: { readonly code: StanzaStatusCode; readonly message: string; readonly ok: boolean };
  readonly backup: OperationProgress;
  readonly restore: OperationProgress;
}

/** The result of {@link analyzeProgress}. */
export interface ProgressAnalysis {
  readonly stanzas: readonly StanzaProgress[];
}
