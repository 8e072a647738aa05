import { describe, expect, it } from 'vitest';
import { catalogueFor } from '../../../src/catalogue/index.js';
import { readKey } from '../../../src/config/lint/option-key.js';
import { parseSize, parseStrictInteger, parseTime } from '../../../src/config/lint/value-grammar.js';

describe('values as pgBackRest reads them', () => {
  it('integers: an optional sign and digits, within 64 bits', () => {
    expect(['42', '+5', '-1', '9223372036854775807'].map(parseStrictInteger)).toEqual([
      42n,
      5n,
      -1n,
      9223372036854775807n,
    ]);
    expect(['', ' 5', '5 ', '1.5', '0x10', '9223372036854775808', '+'].map(parseStrictInteger)).toEqual(
      Array(7).fill(undefined),
    );
  });

  it('sizes: digits with b, k, kb, kib … p, pb, pib in any case', () => {
    expect(['16384', '1b', '512KiB', '4mb', '1G', '2tib', '1p'].map(parseSize)).toEqual([
      16384n,
      1n,
      524288n,
      4194304n,
      1073741824n,
      2n * 1024n ** 4n,
      1024n ** 5n,
    ]);
    expect(['1.5MiB', '12xb', '', 'MiB', '1 MiB', '1kbkb', '99999999999999999999'].map(parseSize)).toEqual(
      Array(7).fill(undefined),
    );
  });

  it('times before 2.53: the leading decimal number in seconds, the rest ignored', () => {
    expect(['60', '1.5', '0', '300 ; seconds', '5m'].map((v) => parseTime(v, '2.45'))).toEqual([
      60000n,
      1500n,
      0n,
      300000n,
      5000n,
    ]);
    expect(['abc', '0.0', ''].map((v) => parseTime(v, '2.45'))).toEqual([undefined, undefined, undefined]);
  });

  it('times from 2.53: whole numbers with an optional unit', () => {
    expect(['60', '100ms', '90s', '5m', '2H', '1d', '1w'].map((v) => parseTime(v, '2.55.1'))).toEqual([
      60000n,
      100n,
      90000n,
      300000n,
      7200000n,
      86400000n,
      604800000n,
    ]);
    expect(['1.5', '5 s', 'm', '', '300 ; seconds'].map((v) => parseTime(v, '2.60.0'))).toEqual(
      Array(5).fill(undefined),
    );
  });
});

describe('option names as pgBackRest reads them', () => {
  const catalogue = catalogueFor('2.45');
  const read = (key: string) => {
    const reading = readKey(catalogue, key);
    return reading.kind === 'option' ? [reading.canonicalName, reading.deprecated] : [reading.kind];
  };

  it('resolves indexed, deprecated and unindexed-deprecated names', () => {
    expect(read('repo2-s3-bucket')).toEqual(['repo2-s3-bucket', false]);
    expect(read('db3-host')).toEqual(['pg3-host', true]);
    expect(read('db-path')).toEqual(['pg1-path', true]);
    expect(read('repo-path')).toEqual(['repo1-path', true]);
    expect(read('retention-full')).toEqual(['repo1-retention-full', true]);
  });

  it('refuses what pgBackRest refuses and leaves unknown names unknown', () => {
    for (const key of ['pg-port', 'start1-fast', 'repo300-path', '1-path', '-x', 'no-process-max', 'reset-stanza']) {
      expect(readKey(catalogue, key).kind).toBe('refused');
    }
    expect(read('repo1-retention-ful')).toEqual(['unknown']);
    expect(readKey(catalogue, 'no-start-fast')).toMatchObject({
      kind: 'option',
      negate: true,
      canonicalName: 'start-fast',
    });
  });
});
