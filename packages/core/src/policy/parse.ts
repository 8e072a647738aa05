import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { formatIssuePath, type PolicyIssue, PolicyValidationError } from './errors.js';
import { type Policy, policySchema } from './schema.js';
import { findInlineSecrets, INLINE_SECRET_MESSAGE } from './secret-ref.js';

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove them or check their spelling`;
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `required: add this field (${issue.expected})`;
  }
  return issue.message;
}

/**
 * Validates a policy object (already parsed from JSON or YAML) and applies defaults.
 *
 * @throws PolicyValidationError listing every issue with its path and what to fix.
 * @example
 * const policy = validatePolicy(JSON.parse(await readFile('chronos-policy.json', 'utf8')));
 */
export function validatePolicy(document: unknown): Policy {
  const inline: PolicyIssue[] = findInlineSecrets(document).map((path) => ({
    path: formatIssuePath(path),
    message: INLINE_SECRET_MESSAGE,
  }));
  const result = policySchema.safeParse(document, { reportInput: false });
  if (result.success && inline.length === 0) return result.data;
  const inlinePaths = new Set(inline.map((issue) => issue.path));
  const issues = result.success
    ? []
    : result.error.issues
        .map((issue) => ({ path: formatIssuePath(issue.path), message: issueMessage(issue) }))
        .filter((issue) => !inlinePaths.has(issue.path));
  throw new PolicyValidationError([...inline, ...issues]);
}

/**
 * Parses a policy document written in JSON or YAML (YAML 1.2 core schema, so `on`/`y`/`no` stay strings) and validates it.
 *
 * @throws PolicyValidationError on a syntax error (path empty) or invalid content.
 * @example
 * const policy = parsePolicy(await readFile('chronos-policy.yaml', 'utf8'));
 */
export function parsePolicy(text: string): Policy {
  let document: unknown;
  try {
    document = parseYaml(text, { version: '1.2', schema: 'core', uniqueKeys: true });
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0] ?? 'syntax error';
    throw new PolicyValidationError([{ path: '', message: `not valid JSON or YAML: ${detail}` }], { cause: error });
  }
  return validatePolicy(document);
}
