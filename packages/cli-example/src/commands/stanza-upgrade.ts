import type { CommandContext, CommandOutcome } from '../context.js';
import { runStanzaCommand } from './stanza-command.js';

/** `chronos stanza upgrade`: pgBackRest's stanza-upgrade after a PostgreSQL major upgrade (pg_upgrade). */
export function run(
  _args: string[],
  _options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  return runStanzaCommand(context, { command: 'stanza-upgrade', verb: 'upgrade', done: 'upgraded' });
}
