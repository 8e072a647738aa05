import { readFile } from 'node:fs/promises';

/**
 * Where the repository cipher passphrase comes from. Config files may only name an environment
 * variable or a file; an explicit `value` is for programs (it is never logged or reported).
 */
export type PassphraseSource = { readonly env: string } | { readonly file: string } | { readonly value: string };

/** Thrown when the passphrase reference points at nothing. Names the reference, never a value. */
export class PassphraseSourceError extends Error {
  override readonly name = 'PassphraseSourceError';
}

/**
 * Reads the passphrase a {@link PassphraseSource} refers to (a file's trailing newline is dropped).
 *
 * @example
 * await loadPassphrase({ env: 'PGBACKREST_REPO1_CIPHER_PASS' });
 */
export async function loadPassphrase(source: PassphraseSource): Promise<string> {
  if ('value' in source) return source.value;
  if ('env' in source) {
    const value = process.env[source.env];
    if (value === undefined || value === '') {
      throw new PassphraseSourceError(`environment variable ${source.env} (cipher passphrase) is not set`);
    }
    return value;
  }
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (cause) {
    throw new PassphraseSourceError(`cannot read the cipher passphrase file ${source.file}`, { cause });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new PassphraseSourceError(`the cipher passphrase file ${source.file} is empty`);
  return value;
}
