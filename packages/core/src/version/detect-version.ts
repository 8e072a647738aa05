import { buildCommand } from '../commands/build-command.js';
import { PgBackRestOptionInvalidError } from '../errors/classes.generated.js';
import { type ExecuteOptions, execute } from '../exec/executor.js';
import { type PgBackRestVersion, parseVersion } from './parse-version.js';

/**
 * Asks a pgBackRest binary for its version: `version --output=num` (2.55+), falling back to plain `version` when the
 * binary refuses the option; both output formats are parsed (2.45 accepts the option and still prints text).
 *
 * @example
 * const { version } = await detectVersion({ bin: '/usr/bin/pgbackrest' }); // '2.45'
 */
export async function detectVersion(
  options: { readonly bin?: string } & Omit<ExecuteOptions, 'onLog' | 'acceptExitCodes'> = {},
): Promise<PgBackRestVersion> {
  const context = { version: '2.55.1', ...(options.bin === undefined ? {} : { bin: options.bin }) };
  try {
    const result = await execute(buildCommand('version', { output: 'num' }, context), options);
    return parseVersion(result.stdout);
  } catch (error) {
    if (!(error instanceof PgBackRestOptionInvalidError)) throw error;
    const result = await execute(buildCommand('version', {}, context), options);
    return parseVersion(result.stdout);
  }
}
