import { readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decryptFile } from '../../src/cipher.js';
import { infoValue, parseInfoFile } from '../../src/info-file.js';
import { manifestContent, storedFileKey } from '../../src/manifest-files.js';
import { decodeObject, ObjectDecodeError } from '../../src/object-decoder.js';
import type { BackupReport } from '../../src/report.js';
import { reconcileBackups } from '../../src/restorability.js';
import { readWalPageHeader, walHeaderMismatch, walMagic } from '../../src/wal-page.js';
import { fixture, fixturePassphrase, fixtureText } from './fixtures.js';

const segmentFile = (kind: string) =>
  readdirSync(fileURLToPath(new URL(`../fixtures/repo/${kind}/`, import.meta.url))).find((f) =>
    f.startsWith('segment-'),
  )!;
const SIZE = 16 * 1024 * 1024;
const decode = (bytes: Buffer, passphrase: string | undefined) =>
  decodeObject(Readable.from([bytes]), { passphrase, compression: 'gz' });

describe('decoding WAL segments recorded from pgBackRest 2.45', () => {
  it('restores a gz segment to one whole segment whose SHA-1 is the hash in its name and whose header matches', async () => {
    const name = segmentFile('plain');
    const decoded = await decode(fixture(`plain/${name}`), undefined);
    expect(decoded.sha1).toBe(name.slice(33, 73));
    expect(decoded.size).toBe(SIZE);
    const header = readWalPageHeader(decoded.head);
    expect(header?.magic).toBe(walMagic('15'));
    expect(
      walHeaderMismatch(header, { timeline: 1, segment: 2, segmentSize: SIZE, magic: walMagic('15') }),
    ).toBeUndefined();
    expect(walHeaderMismatch(header, { timeline: 1, segment: 3, segmentSize: SIZE, magic: walMagic('15') })).toEqual({
      expected: 'timeline 1, address 0/3000000',
      found: 'timeline 1, address 0/2000000',
    });
    expect(
      walHeaderMismatch(header, { timeline: 1, segment: 2, segmentSize: SIZE, magic: walMagic('17') })?.found,
    ).toBe('magic 0xD110');
  });

  it('decrypts an encrypted segment through the key chain: passphrase → archive.info cipher-pass → WAL', async () => {
    const archiveInfo = parseInfoFile(
      decryptFile(fixture('encrypted/archive.info'), fixturePassphrase, 'a').toString(),
    );
    const walPass = infoValue(archiveInfo, 'cipher', 'cipher-pass') as string;
    const name = segmentFile('encrypted');
    const decoded = await decode(fixture(`encrypted/${name}`), walPass);
    expect(decoded.sha1).toBe(name.slice(33, 73));
    expect(decoded.size).toBe(SIZE);
    await expect(decode(fixture(`encrypted/${name}`), `${walPass}x`)).rejects.toBeInstanceOf(ObjectDecodeError);
  });

  it('says which stage failed for damaged bytes', async () => {
    const bytes = Buffer.from(fixture(`plain/${segmentFile('plain')}`));
    bytes[Math.floor(bytes.length / 2)] = bytes[Math.floor(bytes.length / 2)]! ^ 0xff;
    await expect(decode(bytes, undefined)).rejects.toMatchObject({ stage: 'decompress' });
    await expect(decode(bytes.subarray(0, 100), undefined)).rejects.toMatchObject({ stage: 'decompress' });
    await expect(decode(bytes, 'not-encrypted')).rejects.toMatchObject({ stage: 'decrypt' });
  });
});

describe('manifest files (recorded 2.45 manifest)', () => {
  const manifest = manifestContent(parseInfoFile(fixtureText('plain/backup.manifest')));

  it('reads every file with its size, checksum, and where it is stored', () => {
    expect(manifest.compressType).toBe('gz');
    expect(manifest.files.length).toBeGreaterThan(900);
    const version = manifest.files.find((f) => f.name === 'pg_data/PG_VERSION')!;
    expect(version).toMatchObject({ size: 3, checksum: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(storedFileKey(version, manifest.label, manifest.compressType)).toMatch(
      version.bundleId === undefined
        ? `${manifest.label}/pg_data/PG_VERSION.gz`
        : new RegExp(`^${manifest.label}/bundle/\\d+$`),
    );
    expect(manifest.files.every((f) => f.repoSize >= 0)).toBe(true);
  });

  it('refuses a manifest of a newer format with what to do', () => {
    const text = fixtureText('plain/backup.manifest').replace('backrest-format=5', 'backrest-format=6');
    expect(() => manifestContent(parseInfoFile(text))).toThrow(/format 6 is newer .*update @chronos\/s3-verify/);
  });

  it('decrypts an encrypted manifest through backup.info and finds its files cipher-pass', () => {
    const backupInfo = parseInfoFile(decryptFile(fixture('encrypted/backup.info'), fixturePassphrase, 'b').toString());
    const pass = infoValue(backupInfo, 'cipher', 'cipher-pass') as string;
    const encrypted = manifestContent(
      parseInfoFile(decryptFile(fixture('encrypted/backup.manifest'), pass, 'm').toString()),
    );
    expect(encrypted.cipherPass).toEqual(expect.any(String));
    expect(encrypted.cipherPass).not.toBe(pass);
  });
});

describe('restorability', () => {
  const backup = (label: string, extra: Partial<BackupReport> = {}): BackupReport => ({
    label,
    type: label.includes('_') ? 'diff' : 'full',
    archiveId: '15-1',
    walStart: '000000010000000000000002',
    walStop: '000000010000000000000003',
    manifest: true,
    manifestCopy: true,
    walComplete: true,
    restorable: null,
    reasons: [],
    objects: 1,
    bytes: 1,
    ...extra,
  });
  const entries = [
    { label: 'F', type: 'full', dbId: 1, start: null, stop: null, references: [] },
    { label: 'F_D', type: 'diff', dbId: 1, start: null, stop: null, references: ['F'] },
  ];

  it('proves backups restorable only after a complete deep check, and names what breaks them', () => {
    const clean = [backup('F'), backup('F_D')];
    reconcileBackups(clean, entries, [], false);
    expect(clean.map((b) => b.restorable)).toEqual([null, null]);
    reconcileBackups(clean, entries, [], true);
    expect(clean.map((b) => b.restorable)).toEqual([true, true]);

    const broken = [backup('F', { manifest: false }), backup('F_D', { walComplete: false })];
    reconcileBackups(
      broken,
      entries,
      [{ code: 'backup-file-missing', severity: 'error', message: 'm', where: { key: 'k' }, breaks: ['F_D'] }],
      true,
    );
    expect(broken[0]!.reasons).toEqual(['its backup.manifest is missing']);
    expect(broken[1]!.reasons).toEqual([
      'WAL 000000010000000000000002..000000010000000000000003 is not all in the archive',
      'backup-file-missing: k',
      'it depends on backup F, which cannot be restored',
    ]);
    expect(broken.map((b) => b.restorable)).toEqual([false, false]);
  });
});
