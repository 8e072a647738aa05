import type { AnnotateOptions } from '../catalogue/options.generated.js';
import { type BuildContext, buildCommand, type PgBackRestCommand, toOptionMap } from './build-command.js';

/**
 * `pgbackrest annotate`: add, change or remove (empty value) key/value annotations of a backup set.
 * @see https://pgbackrest.org/command.html#command-annotate
 * @example
 * annotateCommand({ stanza: 'main', set: '20260101-120000F', annotation: { ticket: 'OPS-1' } });
 * // args: --stanza=main --set=20260101-120000F --annotation=ticket=OPS-1 annotate
 */
export function annotateCommand(options: AnnotateOptions, context?: BuildContext): PgBackRestCommand {
  return buildCommand('annotate', toOptionMap(options), context);
}
