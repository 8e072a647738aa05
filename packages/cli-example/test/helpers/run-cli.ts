import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@chronos/pgbackrest/testing';
import { inject } from 'vitest';

/** The executable built from the current source by test/build-cli.ts; tests exercise it the way users do. */
export const CLI = inject('chronosCli');
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `node <cli built from source> …args` with a clean colour environment. */
export async function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string; cwd?: string; timeout?: number } = {},
): Promise<CliRun> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: the CLI projects' global setup (test/build-cli.ts) builds it`);
  const result = await runProcess({
    file: process.execPath,
    args: [CLI, ...args],
    env: { FORCE_COLOR: '0', ...options.env },
    timeout: options.timeout ?? 60_000,
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Parses the JSON envelope printed by `--json`. */
export function envelope(run: CliRun): {
  schemaVersion: number;
  command: string;
  exitCode: number;
  // biome-ignore lint/suspicious/noExplicitAny: each command prints its own result shape; the tests assert it
  result?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above, for the error object
  error?: any;
} {
  return JSON.parse(run.stdout);
}
