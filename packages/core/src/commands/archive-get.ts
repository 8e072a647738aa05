import type { ArchiveGetOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest archive-get <wal segment> <destination>`: fetch one WAL segment (what restore_command runs).
 * Exits 1 when the segment is not in the repository.
 * @see https://pgbackrest.org/command.html#command-archive-get
 * @example
 * archiveGetCommand('000000010000000000000003', 'pg_wal/RECOVERYXLOG', { stanza: 'main' });
 */
export function archiveGetCommand(
  walSegment: string,
  destination: string,
  options: ArchiveGetOptions = {},
  context?: BuildContext,
): PgBackRestCommand {
  return buildCommand('archive-get', toOptionMap(options), context, [walSegment, destination]);
}
