/** pgBackRest log levels, most severe first. */
export type LogLevel = 'ASSERT' | 'ERROR' | 'WARN' | 'INFO' | 'DETAIL' | 'DEBUG' | 'TRACE';

/** One pgBackRest log message (continuation lines such as `HINT:` joined with newlines). */
export interface LogEvent {
  /** `YYYY-MM-DD HH:MM:SS.mmm` in the host's local time, as printed; absent on stderr lines. */
  readonly timestamp?: string;
  /** pgBackRest process number (`P00` → 0); absent when the line has none. */
  readonly processId?: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly stream: 'stdout' | 'stderr';
}

const HEADER =
  /^(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) )?(?:P(\d+) +)?(ASSERT|ERROR|WARN|INFO|DETAIL|DEBUG|TRACE): (.*)$/;
const CONTINUATION = /^\s+(\S.*)$/;

/**
 * Turns pgBackRest console/stderr lines into {@link LogEvent}s, one line at a time. Indented continuation lines
 * (`HINT:`, nested causes) are added to the message before it; a message is emitted once the next one starts or
 * {@link LogLineParser.end} is called. Lines that are not log lines (e.g. JSON on stdout) are ignored.
 *
 * @example
 * const parser = new LogLineParser('stdout', (event) => console.log(event.level, event.message));
 * parser.push('2026-01-01 00:00:00.000 P00   INFO: backup command begin 2.45: --stanza=main');
 * parser.end();
 */
export class LogLineParser {
  readonly #stream: 'stdout' | 'stderr';
  readonly #emit: (event: LogEvent) => void;
  #pending: { -readonly [K in keyof LogEvent]: LogEvent[K] } | undefined;

  constructor(stream: 'stdout' | 'stderr', emit: (event: LogEvent) => void) {
    this.#stream = stream;
    this.#emit = emit;
  }

  push(line: string): void {
    const header = HEADER.exec(line);
    if (header) {
      this.end();
      const [, timestamp, processId, level, message] = header;
      this.#pending = {
        ...(timestamp === undefined ? {} : { timestamp }),
        ...(processId === undefined ? {} : { processId: Number(processId) }),
        level: level as LogLevel,
        message: message ?? '',
        stream: this.#stream,
      };
      return;
    }
    const continuation = CONTINUATION.exec(line);
    if (continuation && this.#pending) {
      this.#pending.message = `${this.#pending.message}\n${continuation[1]}`;
      return;
    }
    this.end();
  }

  end(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending) this.#emit(pending);
  }
}

/**
 * Parses a whole captured output into log events.
 *
 * @example
 * parseLogLines('WARN: option x is not set\n      HINT: set it', 'stderr');
 * // [{ level: 'WARN', message: 'option x is not set\nHINT: set it', stream: 'stderr' }]
 */
export function parseLogLines(text: string, stream: 'stdout' | 'stderr' = 'stdout'): LogEvent[] {
  const events: LogEvent[] = [];
  const parser = new LogLineParser(stream, (event) => events.push(event));
  for (const line of text.split(/\r?\n/)) parser.push(line);
  parser.end();
  return events;
}
