import type { CheckOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest check`: check the configuration and that WAL archiving works.
 * @see https://pgbackrest.org/command.html#command-check
 * @example
 * checkCommand({ stanza: 'main' });
 */
export function checkCommand(options: CheckOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('check', toOptionMap(options), context);
}
