import { execa } from 'execa';

/** A process to spawn: file, arguments and environment, never a shell line. */
export interface ProcessRequest {
  readonly file: string;
  readonly args: readonly string[];
  /** Extra environment variables, merged over the current process environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
  readonly cwd?: string;
  /** Milliseconds before the whole process tree is killed. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
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
}

/**
 * Spawn one process without a shell and collect its output. This is the only place in the SDK
 * that starts processes; it never throws for a non-zero exit, callers decide what a failure means.
 */
export async function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  const result = await execa(request.file, [...request.args], {
    env: request.env ?? {},
    extendEnv: true,
    reject: false,
    stripFinalNewline: false,
    detached: true,
    forceKillAfterDelay: 2_000,
    ...(request.input === undefined ? { stdin: 'ignore' as const } : { input: request.input }),
    ...(request.cwd === undefined ? {} : { cwd: request.cwd }),
    ...(request.timeout === undefined ? {} : { timeout: request.timeout }),
    ...(request.signal === undefined ? {} : { cancelSignal: request.signal }),
  });
  const failedToSpawn =
    result.exitCode === undefined && !result.timedOut && !result.isCanceled && result.signal === undefined
      ? result.cause instanceof Error
        ? result.cause
        : new Error(String(result.cause))
      : undefined;
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut,
    isCanceled: result.isCanceled,
    signal: result.signal,
    failedToSpawn,
  };
}
