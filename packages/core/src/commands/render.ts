import type { PgBackRestCommand } from './build-command.js';

const REDACTED = '<redacted>';
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * A printable, copy-pasteable command line with secrets redacted: secret environment values become `<redacted>`,
 * arguments are single-quoted where a shell would split them. For logs and error messages, never for running.
 *
 * @example
 * render(backupCommand({ stanza: 'main', 'repo1-cipher-pass': 'x' }));
 * // "PGBACKREST_REPO1_CIPHER_PASS=<redacted> pgbackrest --stanza=main backup"
 */
export function render(command: Pick<PgBackRestCommand, 'file' | 'args' | 'env' | 'secretEnv'>): string {
  const secret = new Set(command.secretEnv);
  const env = Object.entries(command.env).map(
    ([name, value]) => `${name}=${secret.has(name) ? REDACTED : quote(value)}`,
  );
  return [...env, quote(command.file), ...command.args.map(quote)].join(' ');
}

/** Quotes one word for a POSIX shell, only when needed. */
export function quote(word: string): string {
  if (PLAIN.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
