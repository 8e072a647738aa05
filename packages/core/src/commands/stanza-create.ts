import type { StanzaCreateOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest stanza-create`: create the stanza's repository structure.
 * @see https://pgbackrest.org/command.html#command-stanza-create
 * @example
 * stanzaCreateCommand({ stanza: 'main', 'pg1-path': '/var/lib/postgresql/15/main' });
 */
export function stanzaCreateCommand(options: StanzaCreateOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('stanza-create', toOptionMap(options), context);
}
