import type { CommandContext, CommandOutcome } from '../context.js';
import { runStanzaCommand } from './stanza-command.js';

/** `chronos stanza create`: pgBackRest's stanza-create; exit 1 with its error when it refuses, 3 when it cannot run. */
export function run(
  _args: string[],
  _options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  return runStanzaCommand(context, { command: 'stanza-create', verb: 'create', done: 'created' });
}
