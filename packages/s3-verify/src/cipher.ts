import { createDecipheriv, createHash } from 'node:crypto';

/** The 8 bytes that open every file pgBackRest encrypts with `aes-256-cbc`. */
export const SALTED_MAGIC = Buffer.from('Salted__', 'latin1');

/** Thrown when a passphrase does not decrypt a file (bad padding or not the expected content). */
export class WrongPassphraseError extends Error {
  override readonly name = 'WrongPassphraseError';
  constructor(
    /** What was being decrypted (an object key), never the passphrase. */
    readonly subject: string,
    options?: ErrorOptions,
  ) {
    super(`the cipher passphrase does not decrypt ${subject}: check the repository cipher passphrase`, options);
  }
}

/** Thrown when bytes that should be encrypted do not start with `Salted__` + salt. */
export class NotEncryptedError extends Error {
  override readonly name = 'NotEncryptedError';
  constructor(readonly subject: string) {
    super(`${subject} is not in OpenSSL "Salted__" format, yet the repository is encrypted`);
  }
}

/**
 * True when `bytes` start with the OpenSSL `Salted__` magic.
 *
 * @example
 * isSalted(await firstBytes('archive/main/archive.info')); // true for an encrypted repository
 */
export function isSalted(bytes: Uint8Array): boolean {
  return bytes.length >= SALTED_MAGIC.length && SALTED_MAGIC.equals(Buffer.from(bytes.subarray(0, 8)));
}

/**
 * OpenSSL EVP_BytesToKey with SHA-1 and one iteration: key (32 bytes) and IV (16 bytes) for AES-256-CBC.
 *
 * @example
 * const { key, iv } = bytesToKey('passphrase', salt);
 */
export function bytesToKey(passphrase: string, salt: Uint8Array): { key: Buffer; iv: Buffer } {
  const parts: Buffer[] = [];
  let previous = Buffer.alloc(0);
  let length = 0;
  while (length < 48) {
    previous = createHash('sha1').update(previous).update(passphrase, 'utf8').update(salt).digest();
    parts.push(previous);
    length += previous.length;
  }
  const material = Buffer.concat(parts);
  return { key: material.subarray(0, 32), iv: material.subarray(32, 48) };
}

function decipherFor(data: Uint8Array, passphrase: string, subject: string) {
  if (!isSalted(data) || data.length < 16) throw new NotEncryptedError(subject);
  const { key, iv } = bytesToKey(passphrase, data.subarray(8, 16));
  return createDecipheriv('aes-256-cbc', key, iv);
}

/**
 * Decrypts a whole file written by pgBackRest with `repo-cipher-type=aes-256-cbc`
 * (`openssl enc -d -aes-256-cbc -md sha1`).
 *
 * @example
 * const text = decryptFile(bytes, passphrase, 'archive/main/archive.info').toString('utf8');
 */
export function decryptFile(data: Uint8Array, passphrase: string, subject: string): Buffer {
  const decipher = decipherFor(data, passphrase, subject);
  try {
    return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
  } catch (cause) {
    throw new WrongPassphraseError(subject, { cause });
  }
}

/**
 * Decrypts the beginning of an encrypted file (CBC decrypts block by block), for reading a header
 * without fetching the whole object. Gives whole 16-byte blocks only; the padding is not checked.
 *
 * @example
 * const head = decryptPrefix(first4k, walPassphrase, key); // first bytes of the (compressed) segment
 */
export function decryptPrefix(data: Uint8Array, passphrase: string, subject: string): Buffer {
  const decipher = decipherFor(data, passphrase, subject);
  decipher.setAutoPadding(false);
  const body = data.subarray(16, 16 + Math.floor((data.length - 16) / 16) * 16);
  return decipher.update(body);
}
