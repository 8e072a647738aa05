import type { BackupOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest backup`: back up a cluster (full, diff or incr).
 * @see https://pgbackrest.org/command.html#command-backup
 * @example
 * backupCommand({ stanza: 'main', type: 'full', 'start-fast': true }); // args: --stanza=main --type=full --start-fast backup
 */
export function backupCommand(options: BackupOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('backup', toOptionMap(options), context);
}
