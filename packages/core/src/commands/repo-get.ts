import type { RepoGetOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest repo-get <path>`: print a repository file, decrypted (and decompressed unless `raw`).
 * @see https://pgbackrest.org/command.html#command-repo-get
 * @example
 * repoGetCommand('backup/main/backup.info', { stanza: 'main' });
 */
export function repoGetCommand(path: string, options: RepoGetOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('repo-get', toOptionMap(options), context, [path]);
}
