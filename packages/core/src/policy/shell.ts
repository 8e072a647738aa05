import { quote } from '../commands/render.js';

/**
 * Quotes a word for a POSIX shell, only when needed (the one quoting function: command rendering uses it too).
 *
 * @example
 * shellQuote("/var/lib/my data"); // "'/var/lib/my data'"
 */
export const shellQuote: (word: string) => string = quote;

/**
 * Renders argv as one shell command line.
 *
 * @example
 * shellCommand(['pgbackrest', '--stanza=main', 'backup']); // 'pgbackrest --stanza=main backup'
 */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
