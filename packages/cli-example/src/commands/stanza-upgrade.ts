import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { isPgBackRestVerdict, oneLine } from '../failure.js';
import { clientFor } from '../pgbackrest.js';

/** `chronos stanza upgrade`: pgBackRest's stanza-upgrade after a PostgreSQL major upgrade (pg_upgrade). */
export async function run(
  _args: string[],
  _options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const session = await clientFor(context);
  try {
    await session.run('stanza-upgrade');
  } catch (error) {
    if (!isPgBackRestVerdict(error)) throw error;
    return {
      exitCode: ExitCode.Findings,
      result: { stanza: session.stanza, upgraded: false, errorCode: error.errorCode, reason: error.reason },
      text: `${context.colours.red('stanza upgrade failed')}: ${oneLine(error)}`,
    };
  }
  return {
    exitCode: ExitCode.Ok,
    result: { stanza: session.stanza, upgraded: true },
    text: `${context.colours.green('stanza upgraded')}: ${session.stanza} (take a full backup next)`,
  };
}
