const DURATION_PART = /(\d+)([wdhms])/g;
const DURATION = /^(?:\d+[wdhms])+$/;

const SECONDS_PER_UNIT: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

/** A duration as written in a policy: one or more `<integer><unit>` parts, unit w, d, h, m or s (`26h`, `1d12h`). */
export type DurationText = string;

/**
 * A size as written in a policy, in pgBackRest's size syntax (`512MiB`, `1GB`, `128KB`, `16384`): digits with an
 * optional unit b, k/kb/kib, m/mb/mib, g/gb/gib, t/tb/tib or p/pb/pib in any letter case, every unit a power of 1024.
 */
export type SizeText = string;

/**
 * Pattern a policy duration must match.
 *
 * @example
 * DURATION_PATTERN.test('1d12h'); // true
 */
export const DURATION_PATTERN = DURATION;

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
