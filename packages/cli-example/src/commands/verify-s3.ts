import { exitCodeFor, summarizeReport, type VerifyRepositoryOptions, verifyRepository } from '@chronos/s3-verify';
import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { readInputFile } from '../input.js';
import { verifyProgress } from '../verify-progress.js';

const EXIT: Record<0 | 1 | 2, ExitCodeValue> = { 0: ExitCode.Ok, 1: ExitCode.Findings, 2: ExitCode.CouldNotRun };

/**
 * `chronos verify-s3`: the independent repository check of @chronos/s3-verify. Its "could not verify" (2) becomes
 * chronos' "could not run" (3); findings stay 1.
 */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const endpoint = str('endpoint');
  const caFile = str('caFile');
  const cipherEnv = str('cipherPassEnv');
  const cipherFile = str('cipherPassFile');
  if (cipherEnv !== undefined && cipherFile !== undefined) {
    throw new UsageError('give either --cipher-pass-env or --cipher-pass-file, not both');
  }
  const price = str('pricePerGbMonth');
  if (price !== undefined && !(Number(price) >= 0))
    throw new UsageError(`--price-per-gb-month must be a number, got "${price}"`);
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new UsageError(`--endpoint must be a URL such as https://127.0.0.1:9000, got "${endpoint}"`);
  }
  const verifyOptions: VerifyRepositoryOptions = {
    bucket: str('bucket') as string,
    region: str('region') as string,
    repoPath: str('repoPath') ?? '/',
    signal: context.signal,
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    ...(caFile === undefined ? {} : { tls: { caCert: await readInputFile(caFile, '--ca-file') } }),
    ...(options['tlsVerify'] === false ? { tls: { verify: false } } : {}),
    ...(context.globals.stanza === undefined ? {} : { stanzas: [context.globals.stanza] }),
    ...(cipherEnv === undefined ? {} : { cipherPassphrase: { env: cipherEnv } }),
    ...(cipherFile === undefined ? {} : { cipherPassphrase: { file: cipherFile } }),
    ...(price === undefined ? {} : { pricePerGibMonth: Number(price) }),
    ...(options['deep'] === true ? { deep: true } : {}),
    ...(options['deep'] === true ? { onProgress: verifyProgress(options['progress'], context) } : {}),
  };
  const report = await verifyRepository(verifyOptions);
  return { exitCode: EXIT[exitCodeFor(report)], result: report, text: summarizeReport(report) };
}
