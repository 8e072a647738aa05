const BRAND = Symbol.for('@chronos/pgbackrest/error');

/** What went wrong, for code that switches on it instead of on classes. */
export type PgBackRestErrorKind = 'exit' | 'spawn' | 'timeout' | 'aborted' | 'configuration' | 'output';

/** Fields every SDK error carries. */
export interface PgBackRestErrorDetails {
  /** The command as it can be printed: secrets redacted. */
  readonly command?: string;
  readonly exitCode?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly cause?: unknown;
}

/**
 * Base class of every error the SDK throws. Use {@link isPgBackRestError} across realms (worker threads, duplicated
 * installs), `instanceof` within one.
 *
 * @example
 * try { await client.backup(); } catch (error) { if (isPgBackRestError(error)) console.error(error.kind, error.message); }
 */
export class PgBackRestError extends Error {
  readonly [BRAND] = true;
  override readonly name: string = 'PgBackRestError';
  readonly kind: PgBackRestErrorKind;
  readonly command: string | undefined;
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;

  constructor(kind: PgBackRestErrorKind, message: string, details: PgBackRestErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.stdout = details.stdout ?? '';
    this.stderr = details.stderr ?? '';
  }
}

/** Parsed `ERROR: [NNN]: message` block of pgBackRest's stderr. */
export interface PgBackRestErrorReport {
  readonly code: number;
  /** The message, continuation lines included (without the HINT lines). */
  readonly message: string;
  /** `HINT: …` lines pgBackRest printed with the error. */
  readonly hints: readonly string[];
}

/**
 * pgBackRest ran and exited with a non-zero status. Subclasses per code (`PgBackRestLockAcquireError`, `PgBackRestCryptoError`, …) come
 * from pgBackRest's error definitions; an unknown code gives this class itself.
 *
 * @example
 * if (error instanceof PgBackRestExitError) console.error(error.exitCode, error.hint);
 */
export class PgBackRestExitError extends PgBackRestError {
  override readonly name: string = 'PgBackRestExitError';
  /** The `ERROR: [NNN]` code (equal to the exit status when pgBackRest reported it). */
  readonly errorCode: number;
  /** The message pgBackRest printed after `ERROR: [NNN]:`. */
  readonly reason: string;
  readonly hints: readonly string[];

  constructor(
    details: PgBackRestErrorDetails & { readonly exitCode: number; readonly report?: PgBackRestErrorReport },
  ) {
    const report = details.report;
    const reason = report?.message ?? lastLines(details.stderr ?? '') ?? `exited with status ${details.exitCode}`;
    super(
      'exit',
      `pgBackRest failed [${report?.code ?? details.exitCode}]: ${reason}${hintSuffix(report?.hints)}`,
      details,
    );
    this.errorCode = report?.code ?? details.exitCode;
    this.reason = reason;
    this.hints = report?.hints ?? [];
  }

  /** The first `HINT:` pgBackRest printed, if any. */
  get hint(): string | undefined {
    return this.hints[0];
  }
}

/**
 * The process could not be started (binary missing, not executable, bad transport).
 *
 * @example
 * if (error instanceof PgBackRestSpawnError) console.error('is pgbackrest installed?', error.cause);
 */
export class PgBackRestSpawnError extends PgBackRestError {
  override readonly name: string = 'PgBackRestSpawnError';
  constructor(message: string, details: PgBackRestErrorDetails = {}) {
    super('spawn', message, details);
  }
}

/**
 * The command ran longer than its timeout; the whole process tree was killed.
 *
 * @example
 * await client.backup({}, { timeout: 3_600_000 }).catch((e) => e instanceof PgBackRestTimeoutError && alert(e.timeoutMs));
 */
export class PgBackRestTimeoutError extends PgBackRestError {
  override readonly name: string = 'PgBackRestTimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number, details: PgBackRestErrorDetails = {}) {
    super('timeout', `pgBackRest did not finish within ${timeoutMs} ms; its process tree was killed`, details);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The command was cancelled through its AbortSignal; the whole process tree was killed.
 *
 * @example
 * const controller = new AbortController(); client.backup({}, { signal: controller.signal }); controller.abort();
 */
export class PgBackRestAbortError extends PgBackRestError {
  override readonly name: string = 'PgBackRestAbortError';
  constructor(details: PgBackRestErrorDetails = {}) {
    super('aborted', 'pgBackRest was cancelled; its process tree was killed', details);
  }
}

/**
 * The request is wrong before anything runs: an option the command or version lacks, a value outside its allow-list,
 * a value that could smuggle an argument, a secret that would leave the machine unprotected.
 *
 * @example
 * if (error instanceof PgBackRestConfigurationError) console.error(error.option, error.message);
 */
export class PgBackRestConfigurationError extends PgBackRestError {
  override readonly name: string = 'PgBackRestConfigurationError';
  /** The option at fault, when one is. */
  readonly option: string | undefined;
  constructor(message: string, details: PgBackRestErrorDetails & { readonly option?: string } = {}) {
    super('configuration', message, details);
    this.option = details.option;
  }
}

/**
 * pgBackRest succeeded but printed something the SDK cannot read.
 *
 * @example
 * if (error instanceof PgBackRestOutputError) console.error(error.stdout);
 */
export class PgBackRestOutputError extends PgBackRestError {
  override readonly name: string = 'PgBackRestOutputError';
  constructor(message: string, details: PgBackRestErrorDetails = {}) {
    super('output', message, details);
  }
}

/**
 * True for any error the SDK threw, even from another copy of the SDK or another realm.
 *
 * @example
 * if (isPgBackRestError(error) && error.kind === 'timeout') retry();
 */
export function isPgBackRestError(value: unknown): value is PgBackRestError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function hintSuffix(hints: readonly string[] | undefined): string {
  return hints && hints.length > 0 ? ` (hint: ${hints.join(' ')})` : '';
}

function lastLines(stderr: string): string | undefined {
  const text = stderr.trim();
  if (text === '') return undefined;
  return text.split('\n').slice(-3).join(' ').trim();
}
