import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../fixtures/repo/', import.meta.url));

/** Bytes of a recorded repository file (`plain/…` or `encrypted/…`). */
export function fixture(path: string): Buffer {
  return readFileSync(`${root}${path}`);
}

/** Text of a recorded repository file. */
export function fixtureText(path: string): string {
  return fixture(path).toString('utf8');
}

/** The passphrase the encrypted fixture repository was written with. */
export const fixturePassphrase = fixtureText('encrypted/PASSPHRASE').trim();

/** `key<TAB>size` lines of a recorded repository, as a listing gives them. */
export function fixtureListing(kind: 'plain' | 'encrypted'): Array<{ key: string; size: number }> {
  return fixtureText(`${kind}/listing.tsv`)
    .trim()
    .split('\n')
    .map((line) => {
      const [key, size] = line.split('\t');
      return { key: key!, size: Number(size) };
    });
}
