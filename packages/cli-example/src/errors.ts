import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * An error the CLI reports as one line and maps to an exit code.
 *
 * @example
 * ```ts
 * throw new CliError('--count must be a positive integer', ExitCode.Usage);
 * ```
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A wrong command line or input file (exit code 2).
 *
 * @example
 * ```ts
 * throw new UsageError('--type must be one of full, diff, incr');
 * ```
 */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.Usage, options);
  }
}

/**
 * pgBackRest, PostgreSQL or infrastructure could not do what was asked (exit code 3).
 *
 * @example
 * ```ts
 * throw new CouldNotRunError('the S3 endpoint did not answer');
 * ```
 */
export class CouldNotRunError extends CliError {
  override readonly name = 'CouldNotRunError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.CouldNotRun, options);
  }
}
