/** ANSI styling that turns itself off where it does not belong. */
export interface Colours {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

/**
 * Colours for a stream: on only when it is a TTY, `NO_COLOR` is unset or empty and `TERM` is not `dumb`;
 * `FORCE_COLOR` (non-empty, not `0`) turns them on anyway.
 *
 * @example
 * ```ts
 * const c = coloursFor(process.stdout, process.env);
 * console.log(c.green('ok'));
 * ```
 */
export function coloursFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): Colours {
  const forced = env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '' && env['FORCE_COLOR'] !== '0';
  const enabled = forced || (stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb');
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    enabled,
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    bold: wrap(1, 22),
    dim: wrap(2, 22),
  };
}
