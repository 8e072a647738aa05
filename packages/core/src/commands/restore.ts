import type { RestoreOptions } from '../catalogue/options.generated.js';
import { PgBackRestConfigurationError } from '../errors/pgbackrest-error.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

const NEEDS_TARGET = new Set(['lsn', 'name', 'time', 'xid']);

/**
 * `pgbackrest restore`: restore a backup, optionally to a recovery target. `target` is required for the types
 * lsn, name, time and xid, and refused for the others (pgBackRest would ignore it with a warning).
 * Use `'archive-mode': 'off'` for test restores so a drill never pushes WAL into the production repository.
 * @see https://pgbackrest.org/command.html#command-restore
 * @example
 * restoreCommand({ stanza: 'main', type: 'time', target: '2026-01-01 12:00:00+00', 'target-action': 'promote' });
 */
export function restoreCommand(options: RestoreOptions = {}, context?: BuildContext): PgBackRestCommand {
  const type = options.type;
  const hasTarget = options.target !== undefined;
  if (type !== undefined && NEEDS_TARGET.has(type) && !hasTarget) {
    throw new PgBackRestConfigurationError(`restore type '${type}' needs a 'target'`, { option: 'target' });
  }
  if (hasTarget && (type === undefined || !NEEDS_TARGET.has(type))) {
    throw new PgBackRestConfigurationError(
      `'target' applies only to restore types lsn, name, time and xid; got type '${type ?? 'default'}'`,
      { option: 'target' },
    );
  }
  return buildCommand('restore', toOptionMap(options), context);
}
