import type { ExpireOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest expire`: remove backups and WAL outside the retention policy.
 * @see https://pgbackrest.org/command.html#command-expire
 * @example
 * expireCommand({ stanza: 'main', 'dry-run': true });
 */
export function expireCommand(options: ExpireOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('expire', toOptionMap(options), context);
}
