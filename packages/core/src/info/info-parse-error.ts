/** One problem found in an info document. */
export interface InfoIssue {
  /** JSON path of the offending value, e.g. `[0].backup[3].timestamp.stop`. */
  readonly path: string;
  /** What was expected there. */
  readonly expected: string;
}

/**
 * `pgbackrest info --output=json` text that is not valid JSON or does not have the documented shape.
 *
 * @example
 * try { parseInfo(text); } catch (error) {
 *   if (error instanceof InfoParseError) console.error(error.issues[0]?.path, error.issues[0]?.expected);
 * }
 */
export class InfoParseError extends Error {
  override readonly name = 'InfoParseError';
  /** Each problem with its JSON path; the first is in `message`. */
  readonly issues: readonly InfoIssue[];
  /**
   * Set when the text is valid info output of another detail level than the parser reads (`progress` output given to
   * `parseInfo`): the output is fine, the parser is the wrong one.
   */
  readonly detailLevel?: 'full' | 'progress';

  constructor(
    issues: readonly InfoIssue[],
    options?: { cause?: unknown; message?: string; detailLevel?: 'full' | 'progress' },
  ) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(
      options?.message ??
        (first === undefined
          ? 'Invalid pgBackRest info output'
          : `Invalid pgBackRest info output at ${first.path}: expected ${first.expected}${more}. Pass the stdout of \`pgbackrest info --output=json\`.`),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.issues = issues;
    if (options?.detailLevel !== undefined) this.detailLevel = options.detailLevel;
  }
}
