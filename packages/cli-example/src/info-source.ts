import type { Info, InfoDocument } from '@chronos/pgbackrest';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { readInputFile } from './input.js';
import { clientFor, progressInfo } from './pgbackrest.js';

/**
 * Parses info JSON read from a file; a malformed document is a usage error that names the JSON path. Output of
 * `info --detail-level=progress` is real pgBackRest output, not a malformed one: the error says this command needs full
 * info and which commands read progress output.
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
    if (error instanceof InfoParseError && error.detailLevel === 'progress') {
      throw new UsageError(
        `${path} holds the output of \`pgbackrest info --detail-level=progress\` (only name and status per stanza); ` +
          'this command needs full info: `pgbackrest info --output=json`. `chronos info` and `chronos status` read either.',
        { cause: error },
      );
    }
    if (error instanceof InfoParseError) throw new UsageError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Parses info JSON of either detail level read from a file, saying which it is.
 *
 * @example
 * ```ts
 * const { detailLevel, info } = await parseInfoDocumentFile(text, 'progress.json');
 * ```
 */
export async function parseInfoDocumentFile(text: string, path: string): Promise<InfoDocument> {
  const { InfoParseError, parseInfoDocument } = await import('./info-parser.js');
  try {
    return parseInfoDocument(text);
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
  return clientFor(context).info(typeof set === 'string' ? { set } : {});
}

/**
 * Like {@link loadInfo}, for commands that read either detail level: a file of either mode, else live full info, or
 * with `progress` live `info --detail-level=progress` on pgBackRest 2.56+ (full info before).
 *
 * @example
 * ```ts
 * const document = await loadInfoDocument(options, context, { progress: true });
 * ```
 */
export async function loadInfoDocument(
  options: Record<string, unknown>,
  context: CommandContext,
  mode: { readonly progress?: boolean } = {},
): Promise<InfoDocument> {
  const fromFile = options['fromFile'];
  if (typeof fromFile === 'string' && typeof options['set'] !== 'string') {
    return parseInfoDocumentFile(await readInputFile(fromFile, '--from-file'), fromFile);
  }
  if (!mode.progress) return { detailLevel: 'full', info: await loadInfo(options, context) };
  return progressInfo(clientFor(context));
}
