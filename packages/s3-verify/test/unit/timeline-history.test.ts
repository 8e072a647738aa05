import { describe, expect, it } from 'vitest';
import { decryptFile } from '../../src/cipher.js';
import { infoValue, parseInfoFile } from '../../src/info-file.js';
import { parseTimelineHistory, TimelineHistoryParseError } from '../../src/timeline-history.js';
import { parseLsn } from '../../src/wal-name.js';
import { fixture, fixturePassphrase, fixtureText } from './fixtures.js';

describe('parseTimelineHistory on a history file written after a promoting PITR restore', () => {
  it('gives the parent timeline and the switch LSN', () => {
    const text = fixtureText('plain/00000002.history');
    const [entry, ...rest] = parseTimelineHistory(text);
    expect(rest).toEqual([]);
    expect(entry!.parent).toBe(1);
    expect(entry!.switchLsn).toBe(parseLsn(text.split('\t')[1]!));
  });

  it('reads the same history from the encrypted repository (archive sub-passphrase)', () => {
    const archiveInfo = parseInfoFile(
      decryptFile(fixture('encrypted/archive.info'), fixturePassphrase, 'a').toString(),
    );
    const pass = infoValue(archiveInfo, 'cipher', 'cipher-pass') as string;
    const text = decryptFile(fixture('encrypted/00000002.history'), pass, 'h').toString();
    expect(parseTimelineHistory(text)).toEqual(parseTimelineHistory(fixtureText('plain/00000002.history')));
  });

  it('rejects lines that are not parent/LSN/reason', () => {
    expect(() => parseTimelineHistory('x\t0/1\tr\n')).toThrow(TimelineHistoryParseError);
    expect(() => parseTimelineHistory('1\tnot-an-lsn\tr\n')).toThrow(/line 1/);
    expect(parseTimelineHistory('# comment\n\n')).toEqual([]);
  });

  it('parses LSNs as 64-bit positions', () => {
    expect(parseLsn('0/8000050')).toBe(0x8000050n);
    expect(parseLsn('1/0')).toBe(0x1_0000_0000n);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(0xffff_ffff_ffff_ffffn);
    expect(parseLsn('0x1/2')).toBeUndefined();
  });
});
