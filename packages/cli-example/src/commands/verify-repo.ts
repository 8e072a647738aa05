import { exitCodeFor, type PosixVerifyOptions, summarizeReport, verifyRepository } from '@chronos/s3-verify';
import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { verifyProgress } from '../verify-progress.js';

const EXIT: Record<0 | 1 | 2, ExitCodeValue> = { 0: ExitCode.Ok, 1: ExitCode.Findings, 2: ExitCode.CouldNotRun };

/**
 * `chronos verify-repo`: the independent check of @chronos/s3-verify on a repository in a local directory.
 * Its "could not verify" (2) becomes chronos' "could not run" (3); findings stay 1.
 */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const cipherEnv = str('cipherPassEnv');
  const cipherFile = str('cipherPassFile');
  if (cipherEnv !== undefined && cipherFile !== undefined) {
    throw new UsageError('give either --cipher-pass-env or --cipher-pass-file, not both');
  }
  const verifyOptions: PosixVerifyOptions = {
    path: str('path') as string,
    signal: context.signal,
    ...(options['deep'] === true ? { deep: true } : {}),
    ...(options['deep'] === true ? { onProgress: verifyProgress(options['progress'], context) } : {}),
    ...(context.globals.stanza === undefined ? {} : { stanzas: [context.globals.stanza] }),
    ...(cipherEnv === undefined ? {} : { cipherPassphrase: { env: cipherEnv } }),
    ...(cipherFile === undefined ? {} : { cipherPassphrase: { file: cipherFile } }),
  };
  const report = await verifyRepository(verifyOptions);
  return { exitCode: EXIT[exitCodeFor(report)], result: report, text: summarizeReport(report) };
}
