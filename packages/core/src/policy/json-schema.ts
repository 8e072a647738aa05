import { z } from 'zod';
import { POLICY_SCHEMA_ID, POLICY_VERSION, policySchema } from './schema.js';

/**
 * The JSON Schema (draft 2020-12) of the policy document as written, generated from the zod schema.
 * Published as `@chronos/pgbackrest/policy.schema.json`; refinements (cron syntax, time zones,
 * cross-field checks) are enforced by {@link validatePolicy} only.
 *
 * @example
 * await writeFile('policy.schema.json', JSON.stringify(policyJsonSchema(), null, 2));
 */
export function policyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(policySchema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  const { $schema, ...rest } = generated as Record<string, unknown>;
  return {
    $schema,
    $id: POLICY_SCHEMA_ID,
    title: `Chronos pgBackRest backup policy, version ${POLICY_VERSION}`,
    ...rest,
  };
}
