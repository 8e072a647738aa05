/** How far recovery got, read from PostgreSQL's log. */
export interface RecoveryProgress {
  /** `redo done at …`: the last LSN replayed, when recovery ended. */
  readonly lastReplayedLsn?: string;
  /** `last completed transaction was at log time …`: commit time of the last replayed transaction. */
  readonly lastReplayedTime?: Date;
}

/**
 * The lines of a PostgreSQL log that explain a failed start or recovery: FATAL / PANIC / ERROR lines,
 * pgBackRest's "unable to find" lines and the last WAL file restored from the archive (at most `limit`).
 *
 * @example
 * recoveryLogExcerpt('LOG:  restored log file "000000010000000000000005" from archive\nFATAL:  recovery ended before …');
 */
export function recoveryLogExcerpt(log: string, limit = 12): string[] {
  const lines = log.split('\n').map((l) => l.trimEnd());
  const lastRestored = lines.findLastIndex((l) => /restored log file ".*" from archive/.test(l));
  const picked = lines.filter(
    (l, i) =>
      i === lastRestored ||
      /\b(FATAL|PANIC|ERROR):|unable to find .* in the archive|redo done at|last completed transaction was at/.test(l),
  );
  const excerpt = picked.length > 0 ? picked : lines.filter((l) => l !== '').slice(-8);
  return excerpt.slice(-limit);
}

/**
 * The last replayed LSN and commit time PostgreSQL logged when recovery ended (the last of each in the log).
 *
 * @example
 * parseRecoveryProgress('LOG:  redo done at 0/3000148 system usage: …\nLOG:  last completed transaction was at log time 2026-12-02 01:00:00.5+00');
 * // { lastReplayedLsn: '0/3000148', lastReplayedTime: 2026-12-02T01:00:00.500Z }
 */
export function parseRecoveryProgress(log: string): RecoveryProgress {
  const lsn = [...log.matchAll(/redo done at ([0-9A-F]+\/[0-9A-F]+)/gi)].at(-1)?.[1];
  const time = [
    ...log.matchAll(
      /last completed transaction was at log time (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d)?)?/g,
    ),
  ].at(-1);
  const parsed = time === undefined ? undefined : postgresTimestamp(time[1]!, time[2]);
  return {
    ...(lsn === undefined ? {} : { lastReplayedLsn: lsn.toUpperCase() }),
    ...(parsed === undefined ? {} : { lastReplayedTime: parsed }),
  };
}

/**
 * A timestamp as PostgreSQL prints it (`2026-12-02 01:00:00.123456+00`), or undefined when unreadable.
 *
 * @example
 * postgresTimestamp('2026-12-02 01:00:00.5', '+01'); // 2026-12-02T00:00:00.500Z
 */
export function postgresTimestamp(text: string, offset?: string): Date | undefined {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)?$/.exec(text.trim());
  if (match === null) return undefined;
  const zone = offset ?? match[4] ?? '+00';
  const normalized = /^[+-]\d\d$/.test(zone) ? `${zone}:00` : zone.replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  const fraction = (match[3] ?? '').slice(0, 4);
  const date = new Date(`${match[1]}T${match[2]}${fraction}${normalized}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
