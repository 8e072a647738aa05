import type { RepoLsOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest repo-ls [path]`: list repository files (`output: 'json'` for a parseable listing).
 * @see https://pgbackrest.org/command.html#command-repo-ls
 * @example
 * repoLsCommand('archive/main', { output: 'json', recurse: true });
 */
export function repoLsCommand(path?: string, options: RepoLsOptions = {}, context?: BuildContext): PgBackRestCommand {
  return buildCommand('repo-ls', toOptionMap(options), context, path === undefined ? [] : [path]);
}
