import { isPolicyValidationError, type Policy, parsePolicy } from '@chronos/pgbackrest/policy';
import { UsageError } from './errors.js';
import { readInputFile } from './input.js';

/**
 * Reads and validates a policy file (JSON or YAML); an invalid policy is a usage error listing every issue.
 *
 * @example
 * ```ts
 * const policy = await loadPolicy('examples/chronos-policy.json');
 * ```
 */
export async function loadPolicy(path: string): Promise<Policy> {
  const text = await readInputFile(path, 'policy');
  try {
    return parsePolicy(text);
  } catch (error) {
    if (isPolicyValidationError(error)) {
      const issues = error.issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; ');
      throw new UsageError(`${path}: invalid policy: ${issues}`, { cause: error });
    }
    throw error;
  }
}
