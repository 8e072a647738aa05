import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decryptFile, decryptPrefix, isSalted, NotEncryptedError, WrongPassphraseError } from '../../src/cipher.js';
import { infoRawValue, infoValue, parseInfoFile } from '../../src/info-file.js';
import { headerFromStoredPrefix, readWalSegmentHeader } from '../../src/wal-header.js';
import { fixture, fixturePassphrase, fixtureText } from './fixtures.js';

const segmentFile = (kind: string) =>
  readdirSync(fileURLToPath(new URL(`../fixtures/repo/${kind}/`, import.meta.url))).find((f) =>
    f.startsWith('segment-'),
  )!;

function decryptedInfo(name: string, passphrase = fixturePassphrase) {
  return parseInfoFile(decryptFile(fixture(`encrypted/${name}`), passphrase, name).toString('utf8'));
}

describe('decrypting files pgBackRest 2.45 encrypted with aes-256-cbc', () => {
  it('recognises the Salted__ format and plain files', () => {
    expect(isSalted(fixture('encrypted/archive.info'))).toBe(true);
    expect(isSalted(fixture('encrypted/backup.info'))).toBe(true);
    expect(isSalted(fixture('plain/archive.info'))).toBe(false);
  });

  it('decrypts archive.info and backup.info with the repository passphrase, checksums intact', () => {
    for (const name of ['archive.info', 'archive.info.copy', 'backup.info']) {
      const info = decryptedInfo(name);
      expect(info.checksumValid).toBe(true);
      expect(infoValue(info, 'cipher', 'cipher-pass')).toEqual(expect.any(String));
    }
    expect(infoRawValue(decryptedInfo('archive.info'), 'db', 'db-system-id')).toBe(
      infoRawValue(parseInfoFile(fixtureText('plain/archive.info')), 'db', 'db-system-id'),
    );
  });

  it('decrypts a manifest with the sub-passphrase from backup.info', () => {
    const pass = infoValue(decryptedInfo('backup.info'), 'cipher', 'cipher-pass') as string;
    const manifest = parseInfoFile(decryptFile(fixture('encrypted/backup.manifest'), pass, 'm').toString('utf8'));
    expect(manifest.checksumValid).toBe(true);
    expect(() => decryptFile(fixture('encrypted/backup.manifest'), fixturePassphrase, 'm')).toThrow(
      WrongPassphraseError,
    );
  });

  it('decrypts a WAL segment whose content matches the SHA-1 in its name', () => {
    const pass = infoValue(decryptedInfo('archive.info'), 'cipher', 'cipher-pass') as string;
    const file = segmentFile('encrypted');
    const wal = gunzipSync(decryptFile(fixture(`encrypted/${file}`), pass, file));
    expect(createHash('sha1').update(wal).digest('hex')).toBe(/-([0-9a-f]{40})\./.exec(file)![1]);
    const header = readWalSegmentHeader(wal)!;
    expect(header.segmentSize).toBe(wal.length);
    expect(header.systemId).toBe(infoRawValue(decryptedInfo('archive.info'), 'db', 'db-system-id'));
    const fromPrefix = headerFromStoredPrefix(fixture(`encrypted/${file}`).subarray(0, 1024 + 16), 'gz', pass, file);
    expect(fromPrefix).toEqual(header);
    expect(decryptPrefix(fixture(`encrypted/${file}`).subarray(0, 64), pass, file)).toHaveLength(48);
  });

  it('reads the segment header of a plain gz segment from its first bytes', () => {
    const file = segmentFile('plain');
    const whole = readWalSegmentHeader(gunzipSync(fixture(`plain/${file}`)))!;
    expect(headerFromStoredPrefix(fixture(`plain/${file}`).subarray(0, 1024), 'gz', undefined, file)).toEqual(whole);
    expect(headerFromStoredPrefix(fixture(`plain/${file}`).subarray(0, 2048), 'zst', undefined, file)).toBeUndefined();
  });

  it('reports a wrong passphrase as its own error, naming the file and not the passphrase', () => {
    const error = (() => {
      try {
        decryptFile(fixture('encrypted/archive.info'), 'not-the-passphrase', 'archive/fx/archive.info');
      } catch (e) {
        return e as Error;
      }
      throw new Error('decrypted with a wrong passphrase');
    })();
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect(error.message).toContain('archive/fx/archive.info');
    expect(error.message).not.toContain('not-the-passphrase');
  });

  it('refuses to decrypt a plain file', () => {
    expect(() => decryptFile(fixture('plain/archive.info'), fixturePassphrase, 'x')).toThrow(NotEncryptedError);
  });
});
