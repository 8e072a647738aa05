import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { isPgBackRestVerdict, oneLine } from '../failure.js';
import { clientFor } from '../pgbackrest.js';

/** `chronos stanza create`: pgBackRest's stanza-create; exit 1 with its error when it refuses, 3 when it cannot run. */
export async function run(
  _args: string[],
  _options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const session = await clientFor(context);
  try {
    await session.run('stanza-create');
  } catch (error) {
    if (!isPgBackRestVerdict(error)) throw error;
    return {
      exitCode: ExitCode.Findings,
      result: { stanza: session.stanza, created: false, errorCode: error.errorCode, reason: error.reason },
      text: `${context.colours.red('stanza create failed')}: ${oneLine(error)}`,
    };
  }
  return {
    exitCode: ExitCode.Ok,
    result: { stanza: session.stanza, created: true },
    text: `${context.colours.green('stanza created')}: ${session.stanza} (take a full backup next)`,
  };
}
