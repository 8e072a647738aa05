const DURATION_PART = /(\d+)([wdhms])/g;
const DURATION = /^(?:\d+[wdhms])+$/;
const SIZE = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/;

const SECONDS_PER_UNIT: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
const BYTES_PER_UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** A duration as written in a policy: one or more `<integer><unit>` parts, unit w, d, h, m or s (`26h`, `1d12h`). */
export type DurationText = string;

/** A size as written in a policy: an integer count of bytes, optionally with a binary unit (`512MiB`, `1GiB`). */
export type SizeText = string;

/**
 * Pattern a policy duration must match.
 *
 * @example
 * DURATION_PATTERN.test('1d12h'); // true
 */
export const DURATION_PATTERN = DURATION;

/**
 * Pattern a policy size must match.
 *
 * @example
 * SIZE_PATTERN.test('4GiB'); // true
 */
export const SIZE_PATTERN = SIZE;

/**
 * Converts a policy duration to whole seconds.
 *
 * @example
 * durationSeconds('1d12h'); // 129600
 */
export function durationSeconds(text: DurationText): number {
  if (!DURATION.test(text)) {
    throw new RangeError(
      `"${text}" is not a duration: write <integer><unit> parts with unit w, d, h, m or s (e.g. 26h)`,
    );
  }
  let total = 0;
  for (const match of text.matchAll(DURATION_PART)) {
    total += Number(match[1]) * (SECONDS_PER_UNIT[match[2] ?? 's'] ?? 1);
  }
  return total;
}

/**
 * Converts a policy size to bytes.
 *
 * @example
 * sizeBytes('1GiB'); // 1073741824
 */
export function sizeBytes(text: SizeText): number {
  const match = SIZE.exec(text);
  if (!match) {
    throw new RangeError(`"${text}" is not a size: write an integer with an optional unit B, KiB, MiB, GiB or TiB`);
  }
  return Number(match[1]) * (BYTES_PER_UNIT[match[2] ?? 'B'] ?? 1);
}
