import type { ArchivePushOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest archive-push <wal path>`: push one WAL segment (what PostgreSQL's archive_command runs).
 * @see https://pgbackrest.org/command.html#command-archive-push
 * @example
 * archivePushCommand('pg_wal/000000010000000000000003', { stanza: 'main' });
 */
export function archivePushCommand(
  walPath: string,
  options: ArchivePushOptions = {},
  context?: BuildContext,
): PgBackRestCommand {
  return buildCommand('archive-push', toOptionMap(options), context, [walPath]);
}
