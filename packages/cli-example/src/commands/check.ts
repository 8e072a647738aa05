import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { isPgBackRestVerdict, oneLine } from '../failure.js';
import { clientFor } from '../pgbackrest.js';

/** `chronos check`: exit 0 when pgBackRest's check passes, 1 with its error when it fails, 3 when it cannot run. */
export async function run(
  _args: string[],
  _options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const session = clientFor(context);
  try {
    await session.run('check');
    return {
      exitCode: ExitCode.Ok,
      result: { ok: true },
      text: `${context.colours.green('check passed')}: stanza ${session.stanza}`,
    };
  } catch (error) {
    if (!isPgBackRestVerdict(error)) throw error;
    return {
      exitCode: ExitCode.Findings,
      result: { ok: false, errorCode: error.errorCode, reason: error.reason, hints: error.hints },
      text: `${context.colours.red('check failed')}: ${oneLine(error)}`,
    };
  }
}
