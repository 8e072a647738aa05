import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { readInputFile } from '../input.js';
import { sharedVerifyOptions, verifyOutcome } from '../verify-command.js';

/** `chronos verify-s3`: the independent repository check of @chronos/s3-verify on S3. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const endpoint = str('endpoint');
  const caFile = str('caFile');
  const price = str('pricePerGbMonth');
  if (price !== undefined && !(Number(price) >= 0))
    throw new UsageError(`--price-per-gb-month must be a number, got "${price}"`);
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new UsageError(`--endpoint must be a URL such as https://127.0.0.1:9000, got "${endpoint}"`);
  }
  const shared = sharedVerifyOptions(options, context);
  return verifyOutcome({
    bucket: str('bucket') as string,
    region: str('region') as string,
    repoPath: str('repoPath') ?? '/',
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    ...(caFile === undefined ? {} : { tls: { caCert: await readInputFile(caFile, '--ca-file') } }),
    ...(options['tlsVerify'] === false ? { tls: { verify: false } } : {}),
    ...(price === undefined ? {} : { pricePerGibMonth: Number(price) }),
    ...shared,
  });
}
