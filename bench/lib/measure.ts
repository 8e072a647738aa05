import { performance } from 'node:perf_hooks';

/** One compared measurement: a subject against its baseline, measured in the same run. */
export interface Comparison {
  readonly name: string;
  /** Median of the subject, in `unit`. */
  readonly subject: number;
  /** Median of the baseline, in `unit`. */
  readonly baseline: number;
  readonly unit: 'ms' | 's' | 'MiB';
  /** Median of the per-round ratios subject / baseline (or baseline / subject for `higher-is-better`). */
  readonly ratio: number;
  /** The ratio the product aims for, e.g. `<= 3` or `>= 8`. */
  readonly target?: string;
  readonly pass?: boolean;
  readonly rounds: number;
  readonly note?: string;
}

/** A plain figure (no baseline): a size, an RSS, a capped time. */
export interface Figure {
  readonly name: string;
  readonly value: number | string;
  readonly unit?: string;
  readonly target?: string;
  readonly pass?: boolean;
  readonly note?: string;
}

/** What a scenario prints as its last stdout line. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly mode: 'smoke' | 'quick' | 'full';
  readonly comparisons: Comparison[];
  readonly figures: Figure[];
  readonly notes: string[];
}

export const isFull = process.argv.includes('--full');
/** `--smoke`: the smallest sizes and one round, to check that the benchmarks still run (numbers mean nothing). */
export const isSmoke = !isFull && process.argv.includes('--smoke');

/** Picks a size or count for the run's mode. */
export function bySize<T>(sizes: { smoke: T; quick: T; full: T }): T {
  return isFull ? sizes.full : isSmoke ? sizes.smoke : sizes.quick;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function time<T>(run: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** CPU time (user + system) of this process spent in `run`, in ms: steadier than wall time on a shared machine. */
export function cpuTime(run: () => unknown): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** Progress for people, on stderr (stdout carries the result). */
export function log(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

/**
 * Runs baseline and subject alternately (order flipped every round so neither always runs on a
 * warmer machine) and compares the medians of the per-round ratios.
 */
export async function interleave(options: {
  name: string;
  rounds: number;
  warmup?: number;
  baseline: () => Promise<number> | number;
  subject: () => Promise<number> | number;
  target?: { max?: number; min?: number };
  higherIsBetter?: boolean;
  unit?: 'ms' | 's';
  note?: string;
}): Promise<Comparison> {
  const rounds = isSmoke ? 1 : options.rounds;
  for (let i = 0; i < (isSmoke ? 0 : (options.warmup ?? 0)); i++) {
    await options.baseline();
    await options.subject();
  }
  const base: number[] = [];
  const subj: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let b: number;
    let s: number;
    if (round % 2 === 0) {
      b = await options.baseline();
      s = await options.subject();
    } else {
      s = await options.subject();
      b = await options.baseline();
    }
    base.push(b);
    subj.push(s);
    ratios.push(options.higherIsBetter ? b / s : s / b);
    log(`${options.name} round ${round + 1}/${rounds}: baseline ${b.toFixed(1)} ms, subject ${s.toFixed(1)} ms`);
  }
  return compare(options.name, subj, base, ratios, options);
}

function compare(
  name: string,
  subj: number[],
  base: number[],
  ratios: number[],
  options: { target?: { max?: number; min?: number }; unit?: 'ms' | 's'; note?: string },
): Comparison {
  const ratio = median(ratios);
  const scale = options.unit === 's' ? 1 / 1000 : 1;
  const target = options.target;
  return {
    name,
    subject: round3(median(subj) * scale),
    baseline: round3(median(base) * scale),
    unit: options.unit ?? 'ms',
    ratio: round3(ratio),
    rounds: ratios.length,
    ...(target?.max !== undefined && !isSmoke ? { target: `<= ${target.max}x`, pass: ratio <= target.max } : {}),
    ...(target?.min !== undefined && !isSmoke ? { target: `>= ${target.min}x faster`, pass: ratio >= target.min } : {}),
    ...(options.note === undefined ? {} : { note: options.note }),
  };
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Prints the result line the runner collects. */
export function emit(result: Omit<ScenarioResult, 'mode'>): void {
  process.stdout.write(`${JSON.stringify({ ...result, mode: isFull ? 'full' : isSmoke ? 'smoke' : 'quick' })}\n`);
}
