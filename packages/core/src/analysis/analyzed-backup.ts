import type { BackupInfo, BackupType } from '../info/index.js';
import type { AnalyzedBackup } from './types.js';

/**
 * {@link AnalyzedBackup} as a class: fields are plain values, and `startedAt`/`stoppedAt` are Dates made on each
 * read (allocating two Dates per backup up front dominated the cost of analysing 100,000 backups). `toJSON` keeps
 * them in serialised output.
 */
export class AnalyzedBackupRecord implements AnalyzedBackup {
  readonly label: string;
  readonly type: BackupType;
  readonly repoKey: number;
  readonly databaseId: number;
  readonly startedAtEpoch: number;
  readonly stoppedAtEpoch: number;
  readonly ageSeconds: number;
  readonly fullLabel: string | undefined;
  readonly prior: string | null;
  readonly references: readonly string[];
  readonly wal: { readonly start: string | null; readonly stop: string | null };
  readonly walInArchive: boolean;
  readonly error: boolean;
  readonly lsn: { readonly start: string; readonly stop: string } | undefined;
  readonly annotation: Readonly<Record<string, string>> | undefined;
  readonly size: number;
  readonly raw: BackupInfo;

  constructor(raw: BackupInfo, repoKey: number, nowMs: number, fullLabel: string | undefined, walInArchive: boolean) {
    this.label = raw.label;
    this.type = raw.type;
    this.repoKey = repoKey;
    this.databaseId = raw.database.id;
    this.startedAtEpoch = raw.timestamp.start;
    this.stoppedAtEpoch = raw.timestamp.stop;
    this.ageSeconds = Math.round(nowMs / 1000 - raw.timestamp.stop);
    this.fullLabel = fullLabel;
    this.prior = raw.prior;
    this.references = raw.reference ?? [];
    this.wal = raw.archive;
    this.walInArchive = walInArchive;
    this.error = raw.error === true;
    this.lsn = raw.lsn;
    this.annotation = raw.annotation;
    this.size = raw.info.size;
    this.raw = raw;
  }

  /** When the backup started (a new Date on every read). */
  get startedAt(): Date {
    return new Date(this.startedAtEpoch * 1000);
  }

  /** When the backup stopped (a new Date on every read). */
  get stoppedAt(): Date {
    return new Date(this.stoppedAtEpoch * 1000);
  }

  /** Plain data with `startedAt`/`stoppedAt` as ISO strings, for `JSON.stringify`. */
  toJSON(): Omit<AnalyzedBackup, 'startedAt' | 'stoppedAt'> & { startedAt: string; stoppedAt: string } {
    const fields: Omit<AnalyzedBackup, 'startedAt' | 'stoppedAt'> = { ...this };
    return { ...fields, startedAt: this.startedAt.toISOString(), stoppedAt: this.stoppedAt.toISOString() };
  }
}
