import type { BackupEntry } from './backup-entries.js';
import type { BackupReport, Finding } from './report.js';

const OWN_CODES = new Set<Finding['code']>(['backup-manifest-invalid', 'backup-reference-missing']);

/**
 * Decides per backup whether it can be restored, from what the checks found: its manifest, its own
 * WAL (start → stop), the backups it depends on, and (deep mode) damage that names it. Sets
 * `restorable` (true only when `proven`, i.e. a complete deep verification found nothing) and
 * `reasons` on each backup.
 *
 * @example
 * reconcileBackups(report.backups, backupEntries(backupInfo), findings, true);
 */
export function reconcileBackups(
  backups: BackupReport[],
  entries: readonly BackupEntry[],
  findings: readonly Finding[],
  proven: boolean,
): void {
  const byLabel = new Map(backups.map((b) => [b.label, b]));
  const ownReasons = new Map<string, string[]>();
  for (const backup of backups) {
    const reasons: string[] = [];
    if (!backup.manifest) reasons.push('its backup.manifest is missing');
    for (const finding of findings) {
      if (OWN_CODES.has(finding.code) && finding.where?.label === backup.label) reasons.push(finding.message);
    }
    ownReasons.set(backup.label, [...reasons]);
    if (backup.walComplete === false)
      reasons.push(`WAL ${backup.walStart}..${backup.walStop} is not all in the archive`);
    else if (findings.some((f) => f.code === 'wal-backup-incomplete' && f.where?.label === backup.label)) {
      reasons.push(`the WAL archive ${backup.archiveId} it needs is missing`);
    }
    for (const finding of findings) {
      if (finding.breaks?.includes(backup.label))
        reasons.push(`${finding.code}: ${finding.where?.key ?? finding.message}`);
    }
    backup.reasons = reasons;
  }
  for (const entry of entries) {
    const backup = byLabel.get(entry.label);
    if (backup === undefined) continue;
    for (const reference of entry.references) {
      if ((ownReasons.get(reference)?.length ?? 0) > 0) {
        backup.reasons.push(`it depends on backup ${reference}, which cannot be restored`);
      }
    }
  }
  for (const backup of backups) backup.restorable = backup.reasons.length > 0 ? false : proven ? true : null;
}
