const BRAND = Symbol.for('@chronos/pgbackrest/PolicyValidationError');

/** One problem found in a policy document: where it is and what to fix. */
export interface PolicyIssue {
  /** Dotted path into the document, e.g. `repositories[1].retention.full`; empty for the document itself. */
  readonly path: string;
  /** What is wrong and how to fix it. Never contains the offending value. */
  readonly message: string;
}

/**
 * A policy document failed validation. `issues` lists every problem with its path.
 *
 * @example
 * try {
 *   parsePolicy(text);
 * } catch (error) {
 *   if (isPolicyValidationError(error)) for (const issue of error.issues) console.error(issue.path, issue.message);
 * }
 */
export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
  readonly issues: readonly PolicyIssue[];
  readonly [BRAND] = true;

  constructor(issues: readonly PolicyIssue[], options?: { cause?: unknown }) {
    const lines = issues.map((issue) => `  - ${issue.path || '(document)'}: ${issue.message}`);
    super(
      `invalid backup policy (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      options,
    );
    this.issues = issues;
  }
}

/**
 * Whether a value is a {@link PolicyValidationError}, also across realms and duplicated package copies.
 *
 * @example
 * if (isPolicyValidationError(error)) console.error(error.issues);
 */
export function isPolicyValidationError(value: unknown): value is PolicyValidationError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Renders a path such as `['repositories', 1, 'name']` as `repositories[1].name`.
 *
 * @example
 * formatIssuePath(['repositories', 1, 'name']); // 'repositories[1].name'
 */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
