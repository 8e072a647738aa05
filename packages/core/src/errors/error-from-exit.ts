import { ERROR_CLASSES_BY_CODE } from './classes-by-code.generated.js';
import { type PgBackRestErrorReport, PgBackRestExitError } from './pgbackrest-error.js';

const ERROR_LINE = /^(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} )?(?:P\d+ +)?ERROR: \[(\d+)\]: ?(.*)$/;
const HINT_LINE = /^\s+HINT: ?(.*)$/;
const CONTINUATION = /^\s+(\S.*)$/;

/**
 * Finds the `ERROR: [NNN]: message` block pgBackRest printed (console or stderr format) and its `HINT:` lines.
 *
 * @example
 * parseErrorReport('ERROR: [050]: unable to acquire lock\n       HINT: is another pgBackRest process running?');
 * // { code: 50, message: 'unable to acquire lock', hints: ['is another pgBackRest process running?'] }
 */
export function parseErrorReport(output: string): PgBackRestErrorReport | undefined {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((line) => ERROR_LINE.test(line));
  if (start < 0) return undefined;
  const [, code, first] = ERROR_LINE.exec(lines[start] as string) as unknown as [string, string, string];
  const message = [first];
  const hints: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const hint = HINT_LINE.exec(line);
    if (hint) {
      hints.push((hint[1] ?? '').trim());
      continue;
    }
    const continuation = CONTINUATION.exec(line);
    if (!continuation) break;
    message.push((continuation[1] ?? '').trim());
  }
  return { code: Number(code), message: message.join('\n').trim(), hints };
}

/** What a finished, failed pgBackRest run left behind. */
export interface FailedRun {
  readonly exitCode: number;
  readonly stderr: string;
  readonly stdout?: string;
  /** The printable, redacted command line. */
  readonly command?: string;
}

/**
 * The one factory that turns a failed run into the right error class: the `ERROR: [NNN]` code (or the exit status)
 * selects the subclass, e.g. 50 → `PgBackRestLockAcquireError`, 82 → `PgBackRestArchiveTimeoutError`, 95 → `PgBackRestCryptoError`.
 *
 * @example
 * const error = errorFromExit({ exitCode: 50, stderr: 'ERROR: [050]: unable to acquire lock on file …' });
 * error instanceof PgBackRestLockAcquireError; // true
 */
export function errorFromExit(run: FailedRun): PgBackRestExitError {
  const report = parseErrorReport(run.stderr) ?? (run.stdout === undefined ? undefined : parseErrorReport(run.stdout));
  const ErrorClass = ERROR_CLASSES_BY_CODE.get(report?.code ?? run.exitCode) ?? PgBackRestExitError;
  return new ErrorClass({
    exitCode: run.exitCode,
    stderr: run.stderr,
    ...(run.stdout === undefined ? {} : { stdout: run.stdout }),
    ...(run.command === undefined ? {} : { command: run.command }),
    ...(report === undefined ? {} : { report }),
  });
}
