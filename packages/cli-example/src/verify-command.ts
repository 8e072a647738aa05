import {
  exitCodeFor,
  type PosixVerifyOptions,
  summarizeReport,
  type VerifyRepositoryOptions,
  verifyRepository,
} from '@chronos/s3-verify';
import type { CommandContext, CommandOutcome } from './context.js';
import { UsageError } from './errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { verifyProgress } from './verify-progress.js';

const EXIT: Record<0 | 1 | 2, ExitCodeValue> = { 0: ExitCode.Ok, 1: ExitCode.Findings, 2: ExitCode.CouldNotRun };

/** What `verify-s3` and `verify-repo` share: stanza, passphrase source, deep mode, progress and Ctrl-C. */
export type SharedVerifyOptions = Pick<
  PosixVerifyOptions,
  'signal' | 'deep' | 'deepProof' | 'onProgress' | 'stanzas' | 'cipherPassphrase'
>;

/**
 * The verifier options both verify commands take from their flags (`--deep`, `--stored-bytes`, `--progress`, `--cipher-pass-env` or
 * `--cipher-pass-file`, the global `--stanza`).
 *
 * @example
 * const shared = sharedVerifyOptions(options, context);
 */
export function sharedVerifyOptions(options: Record<string, unknown>, context: CommandContext): SharedVerifyOptions {
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const cipherEnv = str('cipherPassEnv');
  const cipherFile = str('cipherPassFile');
  if (cipherEnv !== undefined && cipherFile !== undefined) {
    throw new UsageError('give either --cipher-pass-env or --cipher-pass-file, not both');
  }
  if (options['storedBytes'] === true && options['deep'] !== true) {
    throw new UsageError('--stored-bytes says what --deep proves of backup files: give it with --deep');
  }
  return {
    signal: context.signal,
    ...(options['deep'] === true ? { deep: true, onProgress: verifyProgress(options['progress'], context) } : {}),
    ...(options['storedBytes'] === true ? { deepProof: 'stored' as const } : {}),
    ...(context.globals.stanza === undefined ? {} : { stanzas: [context.globals.stanza] }),
    ...(cipherEnv === undefined ? {} : { cipherPassphrase: { env: cipherEnv } }),
    ...(cipherFile === undefined ? {} : { cipherPassphrase: { file: cipherFile } }),
  };
}

/**
 * Runs the verifier and maps its exit code: "could not verify" (2) becomes chronos' "could not run" (3); findings
 * stay 1.
 *
 * @example
 * return verifyOutcome({ path: '/var/lib/pgbackrest', ...sharedVerifyOptions(options, context) });
 */
export async function verifyOutcome(options: PosixVerifyOptions | VerifyRepositoryOptions): Promise<CommandOutcome> {
  const report = await verifyRepository(options);
  return { exitCode: EXIT[exitCodeFor(report)], result: report, text: summarizeReport(report) };
}
