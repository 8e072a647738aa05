import { describe, expect, it } from 'vitest';
import { InfoFileParseError, infoKeys, infoRawValue, infoValue, parseInfoFile } from '../../src/info-file.js';
import { fixtureText } from './fixtures.js';

describe('parseInfoFile on files written by pgBackRest 2.45', () => {
  for (const name of ['archive.info', 'archive.info.copy', 'backup.info', 'backup.info.copy', 'backup.manifest']) {
    it(`recomputes the checksum of ${name}`, () => {
      const info = parseInfoFile(fixtureText(`plain/${name}`));
      expect(info.checksum).toMatch(/^[0-9a-f]{40}$/);
      expect(info.computedChecksum).toBe(info.checksum);
      expect(info.checksumValid).toBe(true);
    });
  }

  it('detects a changed value', () => {
    const text = fixtureText('plain/backup.info').replace('"backup-error":false', '"backup-error":true');
    const info = parseInfoFile(text);
    expect(info.checksumValid).toBe(false);
    expect(info.computedChecksum).not.toBe(info.checksum);
  });

  it('keeps system ids beyond 2^53 exact as raw JSON', () => {
    const text = fixtureText('plain/archive.info');
    const info = parseInfoFile(text);
    const raw = infoRawValue(info, 'db', 'db-system-id')!;
    expect(text).toContain(`db-system-id=${raw}\n`);
    expect(BigInt(raw) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(infoValue(info, 'db', 'db-version')).toBe('15');
  });

  it('lists backup labels in file order', () => {
    const info = parseInfoFile(fixtureText('plain/backup.info'));
    const labels = infoKeys(info, 'backup:current');
    expect(labels.length).toBeGreaterThan(1);
    expect(labels[0]).toMatch(/^\d{8}-\d{6}F$/);
    expect([...labels].sort()).toEqual(labels);
  });

  it('rejects text that is not an info file, naming the line', () => {
    expect(() => parseInfoFile('hello\n')).toThrow(InfoFileParseError);
    expect(() => parseInfoFile('[db]\nno-equals-sign\n')).toThrow(/line 2/);
    expect(() => parseInfoFile('')).toThrow(/no \[section\]/);
  });
});
