/** A file or range pgBackRest's `verify` named in its log, with its words for what is wrong. */
export interface PgBackRestVerifyProblem {
  readonly level: 'INFO' | 'WARN' | 'ERROR';
  /** The log message as printed (after the level). */
  readonly message: string;
  /** The repository path it names, relative to the stanza's archive or backup folder; undefined when none. */
  readonly path: string | undefined;
}

/** File counts of one archive id or backup in pgBackRest's `verify --output=text` summary. */
export interface PgBackRestVerifyCounts {
  readonly checked: number;
  readonly valid: number;
  readonly missing: number | undefined;
  readonly checksumInvalid: number | undefined;
  readonly sizeInvalid: number | undefined;
  readonly other: number | undefined;
}

/** What `pgbackrest verify --output=text --log-level-console=info` printed, parsed. */
export interface PgBackRestVerifyResult {
  /**
   * `ok` / `error` from the summary; `ok` also when pgBackRest completed without a summary or a named problem
   * (it prints none when all is well, without --verbose); undefined when it did not complete.
   */
  readonly status: 'ok' | 'error' | undefined;
  readonly archives: ReadonlyArray<PgBackRestVerifyCounts & { readonly archiveId: string }>;
  readonly backups: ReadonlyArray<PgBackRestVerifyCounts & { readonly label: string; readonly status: string }>;
  /** Log lines (INFO, WARN, ERROR) that report something wrong, in order. */
  readonly problems: readonly PgBackRestVerifyProblem[];
}

const LOG_LINE = /^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} )?P\d+\s+(INFO|WARN|ERROR|DETAIL):\s+(.*)$/;
/** Lines of a multi-line log message are indented past the timestamp, process and level. */
const CONTINUATION = /^ {20,}\S/;
const ROUTINE = /^(verify command (begin|end)|archive-get command|skipping|check archive|verify backup|stanza:)/;
const PATH =
  /(\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?\/[^\s':,]+|\d+(?:\.\d+)?-\d+\/(?:[0-9A-F]{16}\/)?[0-9A-F]{24}[^\s':,]*|[0-9A-F]{8}\.history|(?:archive|backup)\.info(?:\.copy)?|\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?)/;
const COUNT_NAMES: Record<string, keyof PgBackRestVerifyCounts> = {
  missing: 'missing',
  'checksum invalid': 'checksumInvalid',
  'size invalid': 'sizeInvalid',
  other: 'other',
};

function fields(line: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of line.trim().split(', ')) {
    const colon = part.indexOf(': ');
    if (colon > 0) map.set(part.slice(0, colon), part.slice(colon + 2));
  }
  return map;
}

const count = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/**
 * Parses what `pgbackrest verify --output=text --log-level-console=info` prints: the summary (status,
 * per archive id and per backup counts) and the log lines that name damaged or missing files.
 * pgBackRest exits 0 even when it finds damage: the verdict is only in this text. Pure.
 *
 * @example
 * const theirs = parsePgBackRestVerify(stdout + stderr);
 * theirs.status; // 'error'
 * theirs.problems.map((p) => p.path); // ['20261201-101500F/pg_data/base/5/1259.zst']
 */
export function parsePgBackRestVerify(text: string): PgBackRestVerifyResult {
  let status: PgBackRestVerifyResult['status'];
  const archives: Array<PgBackRestVerifyCounts & { archiveId: string }> = [];
  const backups: Array<PgBackRestVerifyCounts & { label: string; status: string }> = [];
  const problems: PgBackRestVerifyProblem[] = [];
  let last: Record<string, unknown> | undefined;
  let completed = false;
  let inLogMessage = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.trim() === '') continue;
    const log = LOG_LINE.exec(line);
    if (log !== null) {
      inLogMessage = true;
      const [, level, message] = log as unknown as [string, PgBackRestVerifyProblem['level'] | 'DETAIL', string];
      if (/^verify command end: completed successfully/.test(message)) completed = true;
      if (level === 'DETAIL' || (level === 'INFO' && ROUTINE.test(message))) continue;
      problems.push({ level, message, path: PATH.exec(message)?.[1] });
      continue;
    }
    if (inLogMessage && CONTINUATION.test(line)) continue;
    inLogMessage = false;
    const values = fields(line);
    if (/^status: (ok|error)$/.test(line.trim()) && !line.startsWith(' ')) {
      status = line.trim().slice('status: '.length) as 'ok' | 'error';
    } else if (values.has('archiveId')) {
      last = {
        archiveId: values.get('archiveId')!,
        checked: Number(values.get('total WAL checked')),
        valid: Number(values.get('total valid WAL')),
      };
      archives.push(last as unknown as PgBackRestVerifyCounts & { archiveId: string });
    } else if (values.has('backup')) {
      last = {
        label: values.get('backup')!,
        status: values.get('status') ?? 'unknown',
        checked: Number(values.get('total files checked')),
        valid: Number(values.get('total valid files')),
      };
      backups.push(last as unknown as PgBackRestVerifyCounts & { label: string; status: string });
    } else if (
      last !== undefined &&
      [...values.keys()].length > 0 &&
      [...values.keys()].every((k) => k in COUNT_NAMES)
    ) {
      for (const [key, value] of values) last[COUNT_NAMES[key]!] = count(value);
    }
  }
  for (const entry of [...archives, ...backups] as unknown as Array<Record<string, unknown>>) {
    for (const key of Object.values(COUNT_NAMES)) if (!(key in entry)) entry[key] = undefined;
  }
  if (status === undefined && completed && problems.every((p) => p.level === 'INFO' && p.path === undefined)) {
    status = 'ok';
  }
  return { status, archives, backups, problems };
}
