import type { StartOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest start`: allow pgBackRest processes to run again after `stop`.
 * @see https://pgbackrest.org/command.html#command-start
 * @example
 * startCommand({ stanza: 'main' });
 */
export function startCommand(options: StartOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('start', toOptionMap(options), context);
}
