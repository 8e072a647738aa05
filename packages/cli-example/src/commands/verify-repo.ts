import type { CommandContext, CommandOutcome } from '../context.js';
import { sharedVerifyOptions, verifyOutcome } from '../verify-command.js';

/** `chronos verify-repo`: the independent check of @chronos/s3-verify on a repository in a local directory. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  return verifyOutcome({ path: options['path'] as string, ...sharedVerifyOptions(options, context) });
}
