import type { StanzaDeleteOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest stanza-delete`: delete the stanza and all its backups and WAL (stop the stanza first).
 * @see https://pgbackrest.org/command.html#command-stanza-delete
 * @example
 * stanzaDeleteCommand({ stanza: 'main', force: true });
 */
export function stanzaDeleteCommand(options: StanzaDeleteOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('stanza-delete', toOptionMap(options), context);
}
