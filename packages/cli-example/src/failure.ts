import { isPgBackRestError, PgBackRestExitError } from '@chronos/pgbackrest';

/**
 * Whether an error is pgBackRest answering "no" (it ran and exited with an error code), as opposed to pgBackRest
 * not running at all (spawn failure, timeout, cancellation).
 *
 * @example
 * ```ts
 * if (isPgBackRestVerdict(error)) return { exitCode: ExitCode.Findings, … };
 * ```
 */
export function isPgBackRestVerdict(error: unknown): error is PgBackRestExitError {
  return isPgBackRestError(error) && error instanceof PgBackRestExitError;
}

/**
 * One line describing a pgBackRest failure: the first line of its message.
 *
 * @example
 * ```ts
 * oneLine(new Error('a\nb')); // "a"
 * ```
 */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
