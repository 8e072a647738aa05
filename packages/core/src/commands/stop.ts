import type { StopOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest stop`: stop pgBackRest processes from running (`force` also terminates running ones).
 * @see https://pgbackrest.org/command.html#command-stop
 * @example
 * stopCommand({ stanza: 'main', force: true });
 */
export function stopCommand(options: StopOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('stop', toOptionMap(options), context);
}
