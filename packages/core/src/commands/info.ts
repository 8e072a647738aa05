import type { InfoOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest info`: report stanzas, backups and archive (the SDK asks for `--output=json`).
 * @see https://pgbackrest.org/command.html#command-info
 * @example
 * infoCommand({ stanza: 'main', output: 'json' });
 */
export function infoCommand(options: InfoOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('info', toOptionMap(options), context);
}
