import type { PgBackRestCommand } from '../commands/build-command.js';
import { render } from '../commands/render.js';
import { errorFromExit, parseErrorReport } from '../errors/error-from-exit.js';
import { PgBackRestAbortError, PgBackRestSpawnError, PgBackRestTimeoutError } from '../errors/pgbackrest-error.js';
import { type LogEvent, LogLineParser } from './log-events.js';
import type { Transport } from './transport.js';
import { runOnTransport } from './transport-run.js';

/** How one command runs. */
export interface ExecuteOptions {
  readonly transport?: Transport;
  /** Milliseconds before the whole process tree is killed ({@link PgBackRestTimeoutError}). */
  readonly timeout?: number;
  /** Cancels the run and kills the process tree ({@link PgBackRestAbortError}). */
  readonly signal?: AbortSignal;
  /**
   * Milliseconds between SIGTERM and SIGKILL when a timeout or abort ends the run: for the local process group and,
   * over docker or ssh, for the pgBackRest process group over there. An abort during the grace (after a timeout)
   * ends it at once. Default 2000.
   */
  readonly killGraceMs?: number;
  /** Receives pgBackRest log messages from stdout and stderr as they arrive. */
  readonly onLog?: (event: LogEvent) => void;
  /** Non-zero exit statuses that are answers, not failures (e.g. 1 for archive-get: segment not found). */
  readonly acceptExitCodes?: readonly number[];
}

/** A finished pgBackRest run. */
export interface ExecuteResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The printable command line, secrets redacted. */
  readonly command: string;
}

/**
 * Runs a built pgBackRest command through a transport and turns every failure into a typed error:
 * spawn failure → {@link PgBackRestSpawnError}, timeout → {@link PgBackRestTimeoutError}, abort →
 * {@link PgBackRestAbortError}, non-zero exit → the subclass for pgBackRest's error code.
 *
 * @example
 * const result = await execute(checkCommand({ stanza: 'main' }), { timeout: 60_000, onLog: (e) => console.log(e.message) });
 */
export async function execute(command: PgBackRestCommand, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const printable = render(command);
  const onLog = options.onLog;
  const stdoutParser = onLog ? new LogLineParser('stdout', onLog) : undefined;
  const stderrParser = onLog ? new LogLineParser('stderr', onLog) : undefined;
  const result = await runOnTransport(command, options.transport, {
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(stdoutParser ? { onStdoutLine: (line: string) => stdoutParser.push(line) } : {}),
    ...(stderrParser ? { onStderrLine: (line: string) => stderrParser.push(line) } : {}),
  });
  stdoutParser?.end();
  stderrParser?.end();
  const request = result.request;
  const details = { command: printable, stdout: result.stdout, stderr: result.stderr };
  if (result.timedOut) throw new PgBackRestTimeoutError(options.timeout ?? 0, details);
  if (result.isCanceled) throw new PgBackRestAbortError({ ...details, cause: options.signal?.reason });
  if (result.failedToSpawn) {
    throw new PgBackRestSpawnError(`could not start '${request.file}': ${result.failedToSpawn.message}`, {
      ...details,
      cause: result.failedToSpawn,
    });
  }
  if (result.exitCode === undefined) {
    throw new PgBackRestSpawnError(`pgBackRest was killed by ${result.signal ?? 'a signal'}`, details);
  }
  if (result.exitCode === 0 || options.acceptExitCodes?.includes(result.exitCode)) {
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, command: printable };
  }
  if ((result.exitCode === 126 || result.exitCode === 127) && !parseErrorReport(result.stderr)) {
    throw new PgBackRestSpawnError(
      `could not start '${command.file}' (exit ${result.exitCode}): ${result.stderr.trim() || 'not found or not executable'}`,
      { ...details, exitCode: result.exitCode },
    );
  }
  throw errorFromExit({ exitCode: result.exitCode, ...details });
}

/** A run whose log messages can be consumed with `for await`. */
export interface StreamingRun {
  readonly events: AsyncIterable<LogEvent>;
  readonly result: Promise<ExecuteResult>;
}

/**
 * Like {@link execute}, with the log messages as an async iterator. The iterator ends when the process ends;
 * `result` settles (or rejects with the typed error) independently.
 *
 * @example
 * const run = executeStream(backupCommand({ stanza: 'main', 'log-level-console': 'info' }));
 * for await (const event of run.events) console.log(event.level, event.message);
 * await run.result;
 */
export function executeStream(command: PgBackRestCommand, options: Omit<ExecuteOptions, 'onLog'> = {}): StreamingRun {
  const queue: LogEvent[] = [];
  let done = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const result = execute(command, {
    ...options,
    onLog: (event) => {
      queue.push(event);
      notify();
    },
  }).finally(() => {
    done = true;
    notify();
  });
  result.catch(() => undefined);
  const events: AsyncIterable<LogEvent> = {
    async *[Symbol.asyncIterator]() {
      while (true) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
  return { events, result };
}
