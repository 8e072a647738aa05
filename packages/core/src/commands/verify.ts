import type { VerifyOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest verify`: verify backups and WAL in the repository (exits 0 even when it finds errors; read its text verdict).
 * @see https://pgbackrest.org/command.html#command-verify
 * @example
 * verifyCommand({ stanza: 'main', output: 'text', verbose: true });
 */
export function verifyCommand(options: VerifyOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('verify', toOptionMap(options), context);
}
