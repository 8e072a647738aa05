import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCommand } from '../../../src/commands/index.js';
import { parseSize, SIZE_PATTERN } from '../../../src/config/index.js';
import { PgBackRestConfigurationError } from '../../../src/errors/index.js';
import {
  compilePolicy,
  isPolicyValidationError,
  type PolicyInput,
  policyJsonSchema,
  validatePolicy,
} from '../../../src/policy/index.js';
import { shellCommand, shellQuote } from '../../../src/policy/shell.js';

// Verdicts of pgBackRest 2.45 itself, recorded by hand (`archive-push --archive-push-queue-max=<size>`: [032] "is not valid" or not).
const ACCEPTED: ReadonlyArray<readonly [string, bigint]> = [
  ['16384', 16384n],
  ['0', 0n],
  ['1b', 1n],
  ['1B', 1n],
  ['12bb', 12n],
  ['128k', 131072n],
  ['128KB', 131072n],
  ['1KIB', 1024n],
  ['4m', 4194304n],
  ['1GB', 1073741824n],
  ['1gb', 1073741824n],
  ['1GiB', 1073741824n],
  ['2tib', 2n * 1024n ** 4n],
  ['1P', 1024n ** 5n],
  ['1pb', 1024n ** 5n],
];
const REFUSED = [
  '1.5MiB',
  '4 MiB',
  '1kbkb',
  '1bk',
  '1bbb',
  '1kbb',
  '1ib',
  'MiB',
  '',
  '-1k',
  '+1k',
  '9007199254740993k',
];

const INT64_MAX = 2n ** 63n - 1n;

/** pgBackRest's cfgParseSize step by step (lower-case, a permissive pattern, the unit letter by position, strict int64). */
function pgbackrestSize(value: string): bigint | undefined {
  const lower = value.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  if (!/^[0-9]+(kib|kb|k|mib|mb|m|gib|gb|g|tib|tb|t|pib|pb|p|b)*$/.test(lower)) return undefined;
  const last = lower.length - 1;
  let position = -1;
  if (lower[last] === 'b') {
    const before = lower[last - 1] ?? '';
    position = before <= '9' ? last : before === 'i' ? last - 2 : last - 1;
  } else if ((lower[last] ?? '') > '9') position = last;
  const multiplier = { b: 1n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n, p: 1024n ** 5n }[
    position === -1 ? 'b' : (lower[position] as 'b')
  ];
  const digits = position === -1 ? lower : lower.slice(0, position);
  if (multiplier === undefined || !/^[+-]?[0-9]+$/.test(digits)) return undefined;
  const number = BigInt(digits);
  return number > INT64_MAX / multiplier ? undefined : number * multiplier;
}

const example = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../../examples/chronos-policy.json', import.meta.url)), 'utf8'),
) as PolicyInput;
const withQueueMax = (size: string): PolicyInput => {
  const doc = structuredClone(example) as PolicyInput & { archiving: { pushQueueMax?: string } };
  doc.archiving.pushQueueMax = size;
  return doc;
};

describe('one size grammar: pgBackRest size syntax everywhere', () => {
  it('parseSize reads what pgBackRest accepts, as bytes, and refuses what it refuses', () => {
    expect(ACCEPTED.map(([text]) => parseSize(text))).toEqual(ACCEPTED.map(([, bytes]) => bytes));
    expect(REFUSED.map(parseSize)).toEqual(REFUSED.map(() => undefined));
  });

  it("parseSize gives the verdicts of pgBackRest's own algorithm (cfgParseSize), on any short string", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{0,22}[0-9kKmMgGtTpPbBiI .x+-]{0,4}$/), (text) => {
        expect(parseSize(text)).toBe(pgbackrestSize(text));
      }),
      { numRuns: 3000 },
    );
  });

  /** Whether the number before the unit, times the unit, passes pgBackRest's 64-bit limit (the pattern cannot say). */
  const overflows = (text: string): boolean => {
    const sized = /^([0-9]+)([kKmMgGtTpP]?)/.exec(text);
    if (!sized) return false;
    const shift = { '': 0n, k: 10n, m: 20n, g: 30n, t: 40n, p: 50n }[sized[2]!.toLowerCase()] ?? 0n;
    return BigInt(sized[1]!) << shift > 2n ** 63n - 1n;
  };

  it('SIZE_PATTERN (what the JSON Schema carries) matches exactly the sizes parseSize reads, short of 64-bit overflow', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{0,6}[0-9kKmMgGtTpPbBiI .x+-]{0,4}$/), (text) => {
        fc.pre(!overflows(text));
        expect(SIZE_PATTERN.test(text)).toBe(parseSize(text) !== undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('builders accept sizes as pgBackRest reads them and refuse what it refuses', () => {
    for (const [size] of ACCEPTED) {
      expect(
        buildCommand('backup', { stanza: 'main', 'repo1-storage-upload-chunk-size': size }, { version: '2.45' }).args,
      ).toContain(`--repo1-storage-upload-chunk-size=${size}`);
    }
    for (const size of REFUSED) {
      expect(() =>
        buildCommand('backup', { stanza: 'main', 'repo1-storage-upload-chunk-size': size }, { version: '2.45' }),
      ).toThrow(PgBackRestConfigurationError);
    }
  });

  it('the policy accepts the same sizes and compiles them to bytes', () => {
    for (const [size, bytes] of ACCEPTED) {
      expect(compilePolicy(validatePolicy(withQueueMax(size))).config).toContain(`archive-push-queue-max=${bytes}\n`);
    }
  });

  it('the policy refuses the same sizes with a message naming the syntax', () => {
    for (const size of REFUSED) {
      let caught: unknown;
      try {
        validatePolicy(withQueueMax(size));
      } catch (error) {
        caught = error;
      }
      expect(isPolicyValidationError(caught), size).toBe(true);
      expect(String((caught as Error).message), size).toMatch(/archiving\.pushQueueMax/);
      expect(String((caught as Error).message), size).toMatch(/size/);
    }
  });

  it("the policy's JSON Schema gives the same verdicts (except 64-bit overflow, which only validatePolicy sees)", () => {
    const validate = new Ajv2020({ strict: false }).compile(policyJsonSchema());
    for (const [size] of ACCEPTED) expect(validate(withQueueMax(size)), size).toBe(true);
    for (const size of REFUSED.filter((text) => text !== '9007199254740993k')) {
      expect(validate(withQueueMax(size)), size).toBe(false);
    }
  });
});

describe('one shell-quoting function', () => {
  it('quotes words the same way for rendered commands and generated job scripts', () => {
    const command = buildCommand('check', { stanza: "it's main" }, { version: '2.45' });
    expect(shellQuote("it's main")).toBe(`'it'\\''s main'`);
    expect(shellCommand([command.file, ...command.args])).toBe(`pgbackrest '--stanza=it'\\''s main' check`);
  });
});
