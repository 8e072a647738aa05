import type { ServerPingOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest server-ping`: ping a pgBackRest TLS server.
 * @see https://pgbackrest.org/command.html#command-server-ping
 * @example
 * serverPingCommand({ 'tls-server-address': 'backup.example' });
 */
export function serverPingCommand(options: ServerPingOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('server-ping', toOptionMap(options), context);
}
