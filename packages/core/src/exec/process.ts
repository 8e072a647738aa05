import { execa } from 'execa';

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
  /** Milliseconds between SIGTERM and SIGKILL to the process group. Default 2000. */
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
export async function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  const inheritAll = request.inheritEnv === undefined || request.inheritEnv === 'all';
  const env = inheritAll
    ? { ...request.env }
    : { ...pick(process.env, request.inheritEnv as string[]), ...request.env };
  const lineTap = (callback: ((line: string) => void) | undefined) =>
    callback === undefined
      ? 'pipe'
      : ([
          function* tap(line: unknown) {
            callback(String(line));
            yield line;
          },
        ] as const);
  const subprocess = execa(request.file, [...request.args], {
    env,
    extendEnv: inheritAll,
    reject: false,
    stripFinalNewline: false,
    detached: true,
    stdout: lineTap(request.onStdoutLine),
    stderr: lineTap(request.onStderrLine),
    ...(request.input === undefined ? { stdin: 'ignore' as const } : { input: request.input }),
    ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
  });
  const pid = subprocess.pid;
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
    isCanceled = true;
    terminate();
  };
  if (request.signal?.aborted) onAbort();
  else request.signal?.addEventListener('abort', onAbort, { once: true });

  const result = await subprocess;

  if (timeoutTimer !== undefined) clearTimeout(timeoutTimer);
  request.signal?.removeEventListener('abort', onAbort);
  if (killTimer !== undefined) {
    clearTimeout(killTimer);
    killGroup('SIGKILL');
  }
  const signal = result.signal ?? undefined;
  const failedToSpawn =
    result.exitCode === undefined && !timedOut && !isCanceled && signal === undefined
      ? result.cause instanceof Error
        ? result.cause
        : new Error(String(result.cause ?? result.message))
      : undefined;
  return {
    exitCode: result.exitCode,
    stdout: joinOutput(result.stdout),
    stderr: joinOutput(result.stderr),
    timedOut,
    isCanceled,
    signal,
    failedToSpawn,
    pid,
  };
}

function joinOutput(output: unknown): string {
  if (output === undefined || output === null) return '';
  if (Array.isArray(output)) return output.join('\n');
  return String(output);
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
