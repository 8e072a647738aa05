import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { isPgBackRestVerdict, oneLine } from '../failure.js';
import { clientFor } from '../pgbackrest.js';

/** How one stanza command reports itself: `stanza-create` → `created`, `stanza-upgrade` → `upgraded`. */
interface StanzaCommand {
  readonly command: 'stanza-create' | 'stanza-upgrade';
  readonly verb: 'create' | 'upgrade';
  readonly done: 'created' | 'upgraded';
}

/** Runs pgBackRest's stanza-create or stanza-upgrade: exit 1 with its error when it refuses, 3 when it cannot run. */
export async function runStanzaCommand(
  context: CommandContext,
  { command, verb, done }: StanzaCommand,
): Promise<CommandOutcome> {
  const session = clientFor(context);
  try {
    await session.run(command);
  } catch (error) {
    if (!isPgBackRestVerdict(error)) throw error;
    return {
      exitCode: ExitCode.Findings,
      result: { stanza: session.stanza, [done]: false, errorCode: error.errorCode, reason: error.reason },
      text: `${context.colours.red(`stanza ${verb} failed`)}: ${oneLine(error)}`,
    };
  }
  return {
    exitCode: ExitCode.Ok,
    result: { stanza: session.stanza, [done]: true },
    text: `${context.colours.green(`stanza ${done}`)}: ${session.stanza} (take a full backup next)`,
  };
}
