import type { VersionOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest version`: print the pgBackRest version (`--output=num` from 2.55).
 * @see https://pgbackrest.org/command.html#command-version
 * @example
 * versionCommand({}, { version: '2.45' }); // args: ['version']
 */
export function versionCommand(options: VersionOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('version', toOptionMap(options), context);
}
