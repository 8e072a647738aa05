import type { PgBackRestCommand } from '../commands/build-command.js';
import { type ProcessRequest, type ProcessResult, runProcess } from './process.js';
import {
  hasRemoteGroup,
  REMOTE_PID_LINE,
  remoteKillRequest,
  type Transport,
  toProcessRequest,
  withoutPidLine,
} from './transport.js';

/** How one program runs through a transport. */
export interface TransportRunOptions {
  /** Milliseconds before the process tree is killed, here and over there. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL, for the local group and the group over there. Default 2000. */
  readonly killGraceMs?: number;
  /** Standard input, unless the transport needs stdin itself (ssh carrying secrets). */
  readonly input?: string;
  readonly onStdoutLine?: (line: string) => void;
  readonly onStderrLine?: (line: string) => void;
}

/** A finished run, with the request that was spawned (for messages). */
export interface TransportRunResult extends ProcessResult {
  readonly request: ProcessRequest;
}

/**
 * Runs a program through a transport: locally (as `runAs`), in a container, or over ssh. For docker and ssh it reads
 * the process id the wrapper prints first ({@link REMOTE_PID_LINE}), keeps that line out of `stdout` and
 * `onStdoutLine`, and on a timeout or abort ends the process group over there as well: SIGTERM, `killGraceMs`, then
 * SIGKILL. After a timeout, an abort (already there or during the grace) ends the grace at once.
 *
 * @example
 * const result = await runOnTransport({ file: 'pgbackrest', args: ['version'], env: {} }, { kind: 'docker', container: 'pg' }, { timeout: 10_000 });
 */
export async function runOnTransport(
  command: Pick<PgBackRestCommand, 'file' | 'args' | 'env'>,
  transport: Transport | undefined,
  options: TransportRunOptions = {},
): Promise<TransportRunResult> {
  const request = toProcessRequest(command, transport);
  const remote = hasRemoteGroup(transport);
  const onLine = options.onStdoutLine;
  let remotePid: number | undefined;
  let firstLine = true;
  const onStdoutLine = (line: string) => {
    if (remote && firstLine) {
      firstLine = false;
      const pid = REMOTE_PID_LINE.exec(line);
      if (pid) {
        remotePid = Number(pid[1]);
        return;
      }
    }
    onLine?.(line);
  };
  const raw = await runProcess({
    ...request,
    ...(options.input === undefined || request.input !== undefined ? {} : { input: options.input }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(onLine || remote ? { onStdoutLine } : {}),
    ...(options.onStderrLine ? { onStderrLine: options.onStderrLine } : {}),
  });
  if (!hasRemoteGroup(transport)) return { ...raw, request };
  if (remotePid !== undefined && (raw.timedOut || raw.isCanceled)) {
    await runProcess(remoteKillRequest(transport, remotePid, 'TERM'));
    await grace(options.killGraceMs ?? 2_000, raw.timedOut ? options.signal : undefined);
    await runProcess(remoteKillRequest(transport, remotePid, 'KILL'));
  }
  return { ...raw, stdout: withoutPidLine(raw.stdout), request };
}

/** Waits `ms`, or not at all once `signal` is aborted. */
function grace(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
