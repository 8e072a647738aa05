import type { Info } from '@chronos/pgbackrest';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { readInputFile } from './input.js';

/**
 * Parses info JSON read from a file; a malformed document is a usage error that names the JSON path.
 *
 * @example
 * ```ts
 * const info = await parseInfoFile(text, 'info.json');
 * ```
 */
export async function parseInfoFile(text: string, path: string): Promise<Info> {
  const { InfoParseError, parseInfo } = await import('./info-parser.js');
  try {
    return parseInfo(text);
  } catch (error) {
    if (error instanceof InfoParseError) throw new UsageError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * The info document a command works on: from `--from-file` when given, else from pgBackRest itself.
 *
 * @example
 * ```ts
 * const info = await loadInfo(options, context);
 * ```
 */
export async function loadInfo(options: Record<string, unknown>, context: CommandContext): Promise<Info> {
  const fromFile = options['fromFile'];
  const set = options['set'];
  if (typeof fromFile === 'string') {
    if (typeof set === 'string')
      throw new UsageError('--set needs pgBackRest (live info); it cannot apply to --from-file');
    return parseInfoFile(await readInputFile(fromFile, '--from-file'), fromFile);
  }
  const { readLiveInfo, targetFor } = await import('./pgbackrest.js');
  return readLiveInfo(targetFor(context), typeof set === 'string' ? { set } : {});
}
