/** One line of `pgbackrest expire` output that says what is (or, with `--dry-run`, would be) removed. */
export type ExpireLogEntry =
  | {
      readonly kind: 'expire-set';
      readonly repo: number;
      readonly reason: 'full' | 'diff' | 'time-based' | 'adhoc';
      readonly labels: readonly string[];
      readonly dryRun: boolean;
    }
  | { readonly kind: 'remove-backup'; readonly repo: number; readonly label: string; readonly dryRun: boolean }
  | {
      readonly kind: 'remove-archive';
      readonly repo: number;
      readonly archiveId: string;
      readonly start: string;
      readonly stop: string;
      readonly dryRun: boolean;
    }
  | { readonly kind: 'remove-archive-path'; readonly repo: number; readonly path: string; readonly dryRun: boolean }
  | {
      readonly kind: 'archive-not-expired';
      readonly repo: number | undefined;
      readonly message: string;
      readonly dryRun: boolean;
    };

const PREFIX = /^(?:\S+ \S+ )?P\d+\s+\w+: (\[DRY-RUN\] )?(.*)$/;
const SET = /^repo(\d+): expire (full|diff|time-based|adhoc) backup (?:set )?(.+)$/;
const BACKUP = /^repo(\d+): remove expired backup (\S+)$/;
const ARCHIVE = /^repo(\d+): (\S+) remove archive, start = ([0-9A-F]{24}), stop = ([0-9A-F]{24})$/;
const ARCHIVE_PATH = /^repo(\d+): remove archive path (\S+)$/;
const NOT_EXPIRED = /^(?:repo(\d+): )?(.*archive logs will not be expired.*)$/;

/**
 * Parses the log lines of `pgbackrest expire` (console or file, `--dry-run` or not; `info` level shows backups,
 * `detail` adds archive ranges on older versions) into what was expired. Other lines are skipped.
 *
 * @example
 * parseExpireLog('P00   INFO: [DRY-RUN] repo2: expire full backup set 20261124-065057F, 20261124-065057F_20261124-065122D');
 * // [{ kind: 'expire-set', repo: 2, reason: 'full', labels: ['20261124-065057F', '20261124-065057F_20261124-065122D'], dryRun: true }]
 */
export function parseExpireLog(text: string): ExpireLogEntry[] {
  const entries: ExpireLogEntry[] = [];
  for (const line of text.split('\n')) {
    const prefixed = PREFIX.exec(line.trimEnd());
    if (prefixed === null) continue;
    const dryRun = prefixed[1] !== undefined;
    const body = prefixed[2]!;
    let m = SET.exec(body);
    if (m) {
      entries.push({
        kind: 'expire-set',
        repo: Number(m[1]),
        reason: m[2] as 'full' | 'diff' | 'time-based' | 'adhoc',
        labels: m[3]!.split(', '),
        dryRun,
      });
      continue;
    }
    m = BACKUP.exec(body);
    if (m) {
      entries.push({ kind: 'remove-backup', repo: Number(m[1]), label: m[2]!, dryRun });
      continue;
    }
    m = ARCHIVE.exec(body);
    if (m) {
      entries.push({ kind: 'remove-archive', repo: Number(m[1]), archiveId: m[2]!, start: m[3]!, stop: m[4]!, dryRun });
      continue;
    }
    m = ARCHIVE_PATH.exec(body);
    if (m) {
      entries.push({ kind: 'remove-archive-path', repo: Number(m[1]), path: m[2]!, dryRun });
      continue;
    }
    m = NOT_EXPIRED.exec(body);
    if (m) {
      entries.push({
        kind: 'archive-not-expired',
        repo: m[1] === undefined ? undefined : Number(m[1]),
        message: m[2]!,
        dryRun,
      });
    }
  }
  return entries;
}
