const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes a word for a POSIX shell.
 *
 * @example
 * shellQuote("/var/lib/my data"); // "'/var/lib/my data'"
 */
export function shellQuote(word: string): string {
  return SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Renders argv as one shell command line.
 *
 * @example
 * shellCommand(['pgbackrest', '--stanza=main', 'backup']); // 'pgbackrest --stanza=main backup'
 */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
