import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
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

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary paths of a JSON document
type Doc = Record<string, any>;

describe('policy.schema.json as a JSON Schema validator sees it', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(readFileSync(committedPath, 'utf8')) as object);
  const examplePath = fileURLToPath(new URL('../../../../../examples/chronos-policy.json', import.meta.url));
  const example = JSON.parse(readFileSync(examplePath, 'utf8')) as Record<string, unknown>;

  it('accepts the reference policy', () => {
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
  });

  it('rejects an inline passphrase, an unknown repository type and unknown fields', () => {
    const bad = structuredClone(example) as Doc;
    bad['encryption'].passphrase = 'hunter2';
    bad['repositories'][0].type = 'ftp';
    bad['colour'] = 'blue';
    expect(validate(bad)).toBe(false);
    const paths = new Set((validate.errors ?? []).map((error) => error.instancePath));
    expect(paths).toContain('/encryption/passphrase');
    expect(paths).toContain('/repositories/0');
    expect(paths).toContain('');
  });
});
