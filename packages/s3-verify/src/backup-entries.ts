import { type InfoFile, infoKeys, infoValue } from './info-file.js';
import type { Finding } from './report.js';

/** A backup as listed in backup.info `[backup:current]`. */
export interface BackupEntry {
  readonly label: string;
  readonly type: string | null;
  readonly dbId: number | null;
  readonly start: string | null;
  readonly stop: string | null;
  /** `backup-timestamp-start` / `-stop` (seconds since the epoch); null when absent. */
  readonly startTime?: number | null;
  readonly stopTime?: number | null;
  /** Labels this backup needs (diff/incr: its full and intermediate backups). */
  readonly references: readonly string[];
}

/**
 * The backups of a backup.info, in file order (oldest first).
 *
 * @example
 * backupEntries(backupInfo).map((b) => b.label);
 */
export function backupEntries(info: InfoFile | undefined): BackupEntry[] {
  if (info === undefined) return [];
  return infoKeys(info, 'backup:current').map((label) => {
    const value = (infoValue(info, 'backup:current', label) ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof value[k] === 'string' ? (value[k] as string) : null);
    return {
      label,
      type: str('backup-type'),
      dbId: typeof value['db-id'] === 'number' ? value['db-id'] : null,
      start: str('backup-archive-start'),
      stop: str('backup-archive-stop'),
      startTime: typeof value['backup-timestamp-start'] === 'number' ? value['backup-timestamp-start'] : null,
      stopTime: typeof value['backup-timestamp-stop'] === 'number' ? value['backup-timestamp-stop'] : null,
      references: Array.isArray(value['backup-reference'])
        ? value['backup-reference'].filter((r): r is string => typeof r === 'string' && r !== label)
        : [],
    };
  });
}

/**
 * Findings for backups that depend on a backup no longer in backup.info. Pure.
 *
 * @example
 * missingReferences(backupEntries(backupInfo), 'main'); // [] when every chain is whole
 */
export function missingReferences(entries: readonly BackupEntry[], stanza: string): Finding[] {
  const listed = new Set(entries.map((e) => e.label));
  return entries.flatMap((entry) =>
    entry.references
      .filter((reference) => !listed.has(reference))
      .map(
        (reference): Finding => ({
          code: 'backup-reference-missing',
          severity: 'error',
          message: `backup ${entry.label} depends on ${reference}, which is not in backup.info: it cannot be restored`,
          stanza,
          where: { label: entry.label },
        }),
      ),
  );
}
