/** What a SQL check's result must show. */
export type SqlExpectation =
  /** The query returns one number, at least `min` (e.g. `SELECT count(*) FROM orders`). */
  | { readonly kind: 'count-at-least'; readonly min: number }
  /** The query returns at least one row. */
  | { readonly kind: 'row-exists' }
  /** The query returns exactly one value, true. */
  | { readonly kind: 'true' };

/** A read-only query run on the restored cluster, with what its result must show. */
export interface SqlCheck {
  /** Shown in reports and metrics; default the query itself. */
  readonly name?: string;
  readonly sql: string;
  /** Default `postgres`. */
  readonly database?: string;
  readonly expect: SqlExpectation;
}

/** The outcome of one check. */
export interface DrillCheckResult {
  readonly name: string;
  readonly kind: 'sql' | 'amcheck' | 'catalogue';
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly durationSeconds: number;
  /** Why it failed or was skipped, or what it saw. */
  readonly detail: string;
  /** What the query returned (first 200 characters), for SQL checks. */
  readonly observed?: string;
}

/**
 * Parses an expectation as the CLI and policy write it: `>=N` (or `count>=N`), `row`, `true`.
 *
 * @example
 * parseExpectation('>=306'); // { kind: 'count-at-least', min: 306 }
 * parseExpectation('row');   // { kind: 'row-exists' }
 */
export function parseExpectation(text: string): SqlExpectation {
  const trimmed = text.trim();
  const count = /^(?:count\s*)?>=\s*(\d+)$/.exec(trimmed);
  if (count) return { kind: 'count-at-least', min: Number(count[1]) };
  if (trimmed === 'row' || trimmed === 'row-exists') return { kind: 'row-exists' };
  if (trimmed === 'true') return { kind: 'true' };
  throw new RangeError(`expectation '${text}' is not one of '>=N' (a count at least N), 'row' (a row exists), 'true'`);
}

/**
 * Renders an expectation the way {@link parseExpectation} reads it.
 *
 * @example
 * formatExpectation({ kind: 'count-at-least', min: 306 }); // '>=306'
 */
export function formatExpectation(expect: SqlExpectation): string {
  switch (expect.kind) {
    case 'count-at-least':
      return `>=${expect.min}`;
    case 'row-exists':
      return 'row';
    case 'true':
      return 'true';
  }
}

/**
 * Judges a query's output (psql unaligned, tuples only) against its expectation: undefined when it holds, else why not.
 *
 * @example
 * judgeSqlOutput({ kind: 'count-at-least', min: 306 }, '305'); // 'returned 305, expected at least 306'
 */
export function judgeSqlOutput(expect: SqlExpectation, stdout: string): string | undefined {
  const rows = stdout.split('\n').filter((line) => line !== '');
  switch (expect.kind) {
    case 'row-exists':
      return rows.length > 0 ? undefined : 'returned no row, expected at least one';
    case 'true':
      return rows.length === 1 && rows[0] === 't' ? undefined : `returned ${describe(rows)}, expected true`;
    case 'count-at-least': {
      const value = rows.length === 1 && /^-?\d+(\.\d+)?$/.test(rows[0]!) ? Number(rows[0]) : undefined;
      if (value === undefined) return `returned ${describe(rows)}, expected one number at least ${expect.min}`;
      return value >= expect.min ? undefined : `returned ${value}, expected at least ${expect.min}`;
    }
  }
}

function describe(rows: readonly string[]): string {
  if (rows.length === 0) return 'no row';
  if (rows.length === 1) return `'${rows[0]!.slice(0, 80)}'`;
  return `${rows.length} rows`;
}
