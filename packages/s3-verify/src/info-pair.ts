import { decryptFile, isSalted, WrongPassphraseError } from './cipher.js';
import { type InfoFile, InfoFileParseError, parseInfoFile } from './info-file.js';
import type { Finding } from './report.js';

/** An info file and its `.copy`, read, decrypted and checked. */
export interface CheckedInfoPair {
  /** The file to use: the main file when valid, else the copy when valid. */
  readonly info: InfoFile | undefined;
  /** True when stored encrypted, false when plain, null when neither file exists. */
  readonly encrypted: boolean | null;
  readonly wrongPassphrase: boolean;
  readonly passphraseMissing: boolean;
  readonly findings: Finding[];
}

/**
 * Checks an info file and its copy as fetched (`undefined` = absent): both exist, decrypt with
 * `passphrase` when encrypted, parse, carry a valid checksum, and say the same thing. Pure.
 *
 * @example
 * checkInfoPair('archive/main/archive.info', main, copy, passphrase, 'main').findings;
 */
export function checkInfoPair(
  key: string,
  main: Buffer | undefined,
  copy: Buffer | undefined,
  passphrase: string | undefined,
  stanza: string,
): CheckedInfoPair {
  const findings: Finding[] = [];
  let wrongPassphrase = false;
  let passphraseMissing = false;
  const present = [main, copy].filter((b): b is Buffer => b !== undefined);
  const encrypted = present.length === 0 ? null : present.some((b) => isSalted(b));

  const load = (bytes: Buffer | undefined, objectKey: string): InfoFile | undefined => {
    if (bytes === undefined) {
      findings.push({
        code: 'info-file-missing',
        severity: 'error',
        message: `${objectKey} is missing`,
        stanza,
        where: { key: objectKey },
      });
      return undefined;
    }
    let text: string;
    if (isSalted(bytes)) {
      if (passphrase === undefined) {
        passphraseMissing = true;
        return undefined;
      }
      try {
        text = decryptFile(bytes, passphrase, objectKey).toString('utf8');
        if (!text.startsWith('[')) throw new WrongPassphraseError(objectKey);
      } catch (error) {
        if (!(error instanceof WrongPassphraseError)) throw error;
        wrongPassphrase = true;
        return undefined;
      }
    } else {
      text = bytes.toString('utf8');
    }
    try {
      const info = parseInfoFile(text);
      if (!info.checksumValid) {
        findings.push({
          code: 'info-checksum-mismatch',
          severity: 'error',
          message: `${objectKey} does not match its checksum (corrupt or edited)`,
          stanza,
          where: { key: objectKey },
        });
        return undefined;
      }
      return info;
    } catch (error) {
      if (!(error instanceof InfoFileParseError)) throw error;
      findings.push({
        code: 'info-file-invalid',
        severity: 'error',
        message: `${objectKey} is not a valid info file: ${error.message}`,
        stanza,
        where: { key: objectKey },
      });
      return undefined;
    }
  };

  const first = load(main, key);
  const second = load(copy, `${key}.copy`);
  if (first !== undefined && second !== undefined && first.computedChecksum !== second.computedChecksum) {
    findings.push({
      code: 'info-copy-mismatch',
      severity: 'warning',
      message: `${key} and ${key}.copy differ (both valid): a write may have been interrupted`,
      stanza,
      where: { key },
    });
  }
  if (wrongPassphrase) {
    findings.push({
      code: 'wrong-passphrase',
      severity: 'error',
      message: `the cipher passphrase does not decrypt ${key}: check the repository cipher passphrase`,
      stanza,
      where: { key },
    });
  } else if (passphraseMissing) {
    findings.push({
      code: 'passphrase-missing',
      severity: 'error',
      message: `${key} is encrypted and no cipher passphrase was given: pass cipherPassphrase ({ env } or { file })`,
      stanza,
      where: { key },
    });
  }
  return { info: first ?? second, encrypted, wrongPassphrase, passphraseMissing, findings };
}
