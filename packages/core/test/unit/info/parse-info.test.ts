import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InfoParseError, parseInfo, systemIdToBigInt } from '../../../src/info/index.js';
import { quoteUnsafeIntegers } from '../../../src/info/long-integers.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/info/${name}`, import.meta.url), 'utf8');
const recorded245 = fixture('pgbackrest-2.45-s3-encrypted-plus-posix.json');

function expectIssue(text: string, path: string, expected: RegExp) {
  try {
    parseInfo(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InfoParseError);
    const issue = (error as InfoParseError).issues.find((i) => i.path === path);
    expect(issue, `issues: ${JSON.stringify((error as InfoParseError).issues)}`).toBeDefined();
    expect(issue!.expected).toMatch(expected);
    expect((error as Error).message).toContain('at ');
    return;
  }
  expect.unreachable('parseInfo accepted invalid input');
}

describe('parseInfo on a real 2.45 recording', () => {
  const info = parseInfo(recorded245);

  it('keeps the system id exactly, where JSON.parse rounds it', () => {
    expect(info[0]!.db[0]!['system-id']).toBe('7711603885232359767');
    expect(systemIdToBigInt(info[0]!.db[0]!['system-id'])).toBe(7711603885232359767n);
    expect(String(JSON.parse(recorded245)[0].db[0]['system-id'])).not.toBe('7711603885232359767');
  });

  it('reads stanza, repos, archives and backups', () => {
    const stanza = info[0]!;
    expect(stanza.name).toBe('demo');
    expect(stanza.cipher).toBe('mixed');
    expect(stanza.repo?.map((r) => [r.key, r.cipher, r.status.code])).toEqual([
      [1, 'aes-256-cbc', 0],
      [2, 'none', 0],
    ]);
    expect(stanza.backup.map((b) => [b.label, b.type, b.database['repo-key']])).toEqual([
      ['20261124-052144F', 'full', 1],
      ['20261124-052152F', 'full', 2],
      ['20261124-052144F_20261124-052158D', 'diff', 1],
    ]);
    expect(stanza.backup[2]!.reference).toEqual(['20261124-052144F']);
    expect(stanza.backup[0]!.prior).toBeNull();
    expect(stanza.backup[0]!.lsn).toEqual({ start: '0/6000028', stop: '0/6000100' });
    expect(stanza.archive[1]).toMatchObject({ id: '15-1', min: '000000010000000000000001' });
    expect(stanza.status.lock?.backup.held).toBe(false);
  });
});

describe('parseInfo on fields newer than 2.45 (hand-derived from the 2.45 recording)', () => {
  it('reads backup progress (2.48 size/size-cplt)', () => {
    const lock = parseInfo(fixture('hand-2.48-backup-running.json'))[0]!.status.lock!;
    expect(lock.backup).toEqual({ held: true, size: 85898929, 'size-cplt': 42949464 });
  });

  it('reads the restore lock (2.56)', () => {
    const lock = parseInfo(fixture('hand-2.56-restore-running.json'))[0]!.status.lock!;
    expect(lock.restore).toEqual({ held: true, size: 85898929, 'size-cplt': 1024 });
  });

  it('reads per-repository backup progress (2.59)', () => {
    const lock = parseInfo(fixture('hand-2.59-backup-running-per-repo.json'))[0]!.status.lock!;
    expect(lock.backup.repo).toEqual([{ key: 1, size: 85898929, 'size-cplt': 100 }]);
  });

  it('reads block-incremental sizes, error list, annotation, --set details and keeps unknown fields', () => {
    const stanza = parseInfo(fixture('hand-2.45-set-block-incr-error-annotation.json'))[0]!;
    const backup = stanza.backup[0]!;
    expect(backup.info.repository).toEqual({ delta: 3630992, 'delta-map': 1200, 'size-map': 3400 });
    expect(backup.info.repository.size).toBeUndefined();
    expect(backup.error).toBe(true);
    expect(backup['error-list']).toEqual(['base/5/16384']);
    expect(backup.annotation).toEqual({ source: 'nightly', ticket: 'OPS-1' });
    expect(backup['database-ref']).toEqual([
      { name: 'postgres', oid: 5 },
      { name: 'template1', oid: 1 },
    ]);
    expect(backup.link).toBeNull();
    expect(stanza['futureField']).toEqual({ shape: 'unknown' });
    expect(backup['futureBackupField']).toBe(7);
  });

  it('reads stanza and repository error statuses', () => {
    const info = parseInfo(fixture('hand-2.45-status-errors.json'));
    expect(info.map((s) => s.status.code)).toEqual([4, 1]);
    expect(info[0]!.repo![0]!.status).toEqual({ code: 99, message: '[CryptoError] unable to flush' });
  });

  it('reads an empty repository', () => {
    expect(parseInfo('[]\n')).toEqual([]);
  });
});

describe('parseInfo rejects bad input with a path', () => {
  it('rejects text that is not JSON', () => {
    expectIssue('ERROR: [031]: option invalid', '(root)', /valid JSON/);
  });

  it('names a missing field', () => {
    const doc = JSON.parse(quoteUnsafeIntegers(recorded245));
    delete doc[0].backup[1].timestamp.stop;
    expectIssue(JSON.stringify(doc), '[0].backup[1].timestamp.stop', /number.*missing/);
  });

  it('names an unknown status code and a bad backup type', () => {
    const doc = JSON.parse(quoteUnsafeIntegers(recorded245));
    doc[0].status.code = 7;
    expectIssue(JSON.stringify(doc), '[0].status.code', /one of 0, 1, 2, 3, 4, 5, 6, 99/);
    doc[0].status.code = 0;
    doc[0].backup[2].type = 'differential';
    expectIssue(JSON.stringify(doc), '[0].backup[2].type', /full/);
  });

  it('rejects a system id that is not an integer', () => {
    expectIssue(
      recorded245.replaceAll('7711603885232359767', '"abc"'),
      '[0].db[0].system-id',
      /system id|string|number/,
    );
  });
});

describe('quoteUnsafeIntegers', () => {
  it('leaves digits inside strings, safe integers and fractions alone', () => {
    const text =
      '{"a":"x\\" 12345678901234567890","b":9007199254740991,"c":1.12345678901234567890,"d":12345678901234567890}';
    expect(quoteUnsafeIntegers(text)).toBe(
      '{"a":"x\\" 12345678901234567890","b":9007199254740991,"c":1.12345678901234567890,"d":"12345678901234567890"}',
    );
  });

  it('makes every 64-bit integer survive JSON.parse exactly, whatever strings surround it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.string())), (pairs) => {
        const text = `[${pairs.map(([n, s]) => `{"s":${JSON.stringify(s)},"n":${n}}`).join(',')}]`;
        const parsed = JSON.parse(quoteUnsafeIntegers(text)) as { s: string; n: number | string }[];
        expect(parsed.map((p) => [BigInt(p.n), p.s])).toEqual(pairs.map(([n, s]) => [n, s]));
      }),
    );
  });
});

const recordedRoot = new URL('../../fixtures/recorded/', import.meta.url);
const recorded = existsSync(recordedRoot)
  ? readdirSync(recordedRoot).filter((v) => existsSync(new URL(`${v}/info.json`, recordedRoot)))
  : [];

describe.each(recorded)('parseInfo on the real pgBackRest %s recording', (version) => {
  const read = (f: string) => readFileSync(new URL(`${version}/${f}`, recordedRoot), 'utf8');

  it('parses info --output=json with exact system ids', () => {
    const text = read('info.json');
    const info = parseInfo(text);
    const raw = [...text.matchAll(/"system-id":(\d+)/g)].map((m) => m[1]);
    expect(raw.length).toBeGreaterThan(0);
    expect(info.flatMap((s) => s.db.map((d) => d['system-id']))).toEqual(raw);
    expect(info[0]!.backup.every((b) => b.backrest.version === info[0]!.backup[0]!.backrest.version)).toBe(true);
  });

  it('parses info --set with database list, links and tablespaces', () => {
    const backup = parseInfo(read('info-set.json'))[0]!.backup[0]!;
    expect(backup['database-ref']?.map((d) => d.name)).toContain('postgres');
    expect(backup).toHaveProperty('link');
    expect(backup).toHaveProperty('tablespace');
  });
});
