import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A process to spawn: file, arguments and environment, never a shell line. */
export interface ProcessRequest {
  readonly file: string;
  readonly args: readonly string[];
  /** Extra environment variables, merged over the current process environment (see `inheritEnv`). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Which variables of the current environment the process inherits: all (default) or only the listed names
   * (used to hand a privilege-changing wrapper nothing but what pgBackRest needs).
   */
  readonly inheritEnv?: 'all' | readonly string[];
  readonly input?: string;
  readonly cwd?: string;
  /** Milliseconds before the whole process tree is killed. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  /** Milliseconds between SIGTERM and SIGKILL to the process group (an abort during it sends SIGKILL at once). Default 2000. */
  readonly killGraceMs?: number;
  /** Called with each stdout line as it arrives (the line is still collected in `stdout`). */
  readonly onStdoutLine?: (line: string) => void;
  /** Called with each stderr line as it arrives (the line is still collected in `stderr`). */
  readonly onStderrLine?: (line: string) => void;
}

/** The outcome of a finished process, successful or not. */
export interface ProcessResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  readonly signal: string | undefined;
  readonly failedToSpawn: Error | undefined;
  /** Process id of the spawned process (also its process group id), when it started. */
  readonly pid: number | undefined;
}

/**
 * Spawn one process without a shell and collect its output. This is the only place in the SDK that starts
 * processes; it never throws for a non-zero exit, callers decide what a failure means.
 *
 * The process leads its own process group: a timeout or an abort sends SIGTERM to the whole group, then SIGKILL
 * after `killGraceMs`, so children (pgBackRest's local/remote processes, ssh, docker) are not left behind.
 *
 * @example
 * const result = await runProcess({ file: 'pgbackrest', args: ['version'], timeout: 10_000 });
 * if (result.exitCode === 0) console.log(result.stdout);
 */
export function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  const inheritAll = request.inheritEnv === undefined || request.inheritEnv === 'all';
  const env = inheritAll
    ? { ...process.env, ...request.env }
    : { ...pick(process.env, request.inheritEnv as string[]), ...request.env };
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(request.file, [...request.args], {
        env,
        detached: true,
        stdio: [request.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
      });
    } catch (error) {
      resolve(notStarted(error));
      return;
    }
    const pid = child.pid;
    const stdout = collect(child.stdout, request.onStdoutLine);
    const stderr = collect(child.stderr, request.onStderrLine);
    if (request.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(request.input);
    }
    let timedOut = false;
    let isCanceled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (signal: NodeJS.Signals) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is already gone
      }
    };
    const terminate = () => {
      if (killTimer !== undefined) return;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), request.killGraceMs ?? 2_000);
    };
    const timeoutTimer =
      request.timeout === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            terminate();
          }, request.timeout);
    const onAbort = () => {
      // An abort during the grace after a timeout ends the grace: SIGKILL now.
      if (killTimer !== undefined) return killGroup('SIGKILL');
      isCanceled = true;
      terminate();
    };
    let spawnError: Error | undefined;
    let settled = false;
    const settle = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timeoutTimer !== undefined) clearTimeout(timeoutTimer);
      request.signal?.removeEventListener('abort', onAbort);
      if (killTimer !== undefined) {
        clearTimeout(killTimer);
        killGroup('SIGKILL');
      }
      const failedToSpawn =
        pid === undefined && !timedOut && !isCanceled
          ? (spawnError ?? new Error('the process did not start'))
          : undefined;
      resolve({
        exitCode: exitCode ?? undefined,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        isCanceled,
        signal: signal ?? undefined,
        failedToSpawn,
        pid,
      });
    };
    child.on('error', (error) => {
      spawnError = error;
      if (pid === undefined) settle(null, null);
    });
    child.on('close', (code, signal) => settle(code, signal));
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Collects a stream's text, handing each complete line (without its line ending) to `onLine` as it arrives. */
function collect(stream: Readable | null, onLine: ((line: string) => void) | undefined): { text(): string } {
  let text = '';
  let partial = '';
  const emit = (line: string) => onLine?.(line.endsWith('\r') ? line.slice(0, -1) : line);
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text += chunk;
    if (onLine === undefined) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) emit(line);
  });
  stream?.on('end', () => {
    if (partial !== '') emit(partial);
    partial = '';
  });
  return { text: () => text };
}

function notStarted(error: unknown): ProcessResult {
  return {
    exitCode: undefined,
    stdout: '',
    stderr: '',
    timedOut: false,
    isCanceled: false,
    signal: undefined,
    failedToSpawn: error instanceof Error ? error : new Error(String(error)),
    pid: undefined,
  };
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
