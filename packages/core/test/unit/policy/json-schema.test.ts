import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { POLICY_SCHEMA_ID, POLICY_VERSION, policyJsonSchema } from '../../../src/policy/index.js';

const committedPath = fileURLToPath(new URL('../../../schema/policy.schema.json', import.meta.url));

describe('policy.schema.json', () => {
  it('is up to date with the zod schema (regenerate: node scripts/generate/policy-schema.mjs)', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8')) as unknown;
    expect(committed).toEqual(policyJsonSchema());
  });

  it('is versioned', () => {
    const schema = policyJsonSchema();
    expect(schema['$id']).toBe(POLICY_SCHEMA_ID);
    expect(POLICY_SCHEMA_ID).toContain(`v${POLICY_VERSION}`);
    const properties = schema['properties'] as Record<string, { const?: unknown }>;
    expect(properties['version']?.const).toBe(POLICY_VERSION);
    expect(schema['required']).toEqual(expect.arrayContaining(['version', 'stanza', 'repositories', 'schedule']));
  });
});
