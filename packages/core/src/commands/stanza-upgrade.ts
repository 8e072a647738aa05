import type { StanzaUpgradeOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest stanza-upgrade`: update the stanza after a PostgreSQL major upgrade.
 * @see https://pgbackrest.org/command.html#command-stanza-upgrade
 * @example
 * stanzaUpgradeCommand({ stanza: 'main' });
 */
export function stanzaUpgradeCommand(options: StanzaUpgradeOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('stanza-upgrade', toOptionMap(options), context);
}
