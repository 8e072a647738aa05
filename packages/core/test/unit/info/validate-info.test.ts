import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quoteUnsafeIntegers } from '../../../src/info/long-integers.js';
import { infoProgressSchema, infoSchema } from '../../../src/info/schema.js';
import { validateInfo, validateInfoProgress } from '../../../src/info/validate-info.js';

// The hand-written validator must accept and reject exactly what the zod schema (which gives the types) does.
const fixtures = new URL('../../fixtures/', import.meta.url);
const documents: [string, string][] = [
  ...readdirSync(new URL('info/', fixtures))
    .filter((name) => name.endsWith('.json'))
    .map((name): [string, string] => [`info/${name}`, `info/${name}`]),
  ...readdirSync(new URL('recorded/', fixtures), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .flatMap((version) =>
      readdirSync(new URL(`recorded/${version}/`, fixtures))
        .filter((name) => /^info.*\.json$/.test(name))
        .map((name): [string, string] => [`recorded/${version}/${name}`, `recorded/${version}/${name}`]),
    ),
];
const load = (file: string): unknown => JSON.parse(quoteUnsafeIntegers(readFileSync(new URL(file, fixtures), 'utf8')));

function zodPaths(schema: typeof infoSchema | typeof infoProgressSchema, json: unknown): string[] {
  const result = schema.safeParse(json);
  if (result.success) return [];
  return result.error.issues.map((issue) => {
    let out = '';
    for (const key of issue.path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
    return out === '' ? '(root)' : out;
  });
}

function* leaves(value: unknown, path: (string | number)[] = []): Generator<(string | number)[]> {
  if (path.length > 0) yield path;
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* leaves(item, [...path, i]);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* leaves(item, [...path, key]);
  }
}

function mutated(json: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(json) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

const REPLACEMENTS = [undefined, null, 'x', -1, 1.5, true, {}, [], '000000010000000000000001', 7];

describe('validateInfo agrees with the info schema', () => {
  it.each(documents)('on %s and every one-field change of it', (file) => {
    const json = load(file);
    const full = (value: unknown) => validateInfo(structuredClone(value));
    const progress = (value: unknown) => validateInfoProgress(structuredClone(value));
    const zodFull = infoSchema.safeParse(json);
    const ownFull = full(json);
    expect(ownFull.issues.length === 0).toBe(zodFull.success);
    if (zodFull.success) expect(ownFull.info).toEqual(zodFull.data);
    const zodProgress = infoProgressSchema.safeParse(json);
    expect(progress(json).info).toEqual(zodProgress.data);
    let checked = 0;
    for (const path of leaves(json)) {
      for (const replacement of REPLACEMENTS) {
        const changed = mutated(json, path, replacement);
        const where = `${file} ${JSON.stringify(path)} := ${JSON.stringify(replacement)}`;
        expect(
          full(changed).issues.map((i) => i.path),
          where,
        ).toEqual(zodPaths(infoSchema, changed));
        expect(
          progress(changed).issues.map((i) => i.path),
          where,
        ).toEqual(zodPaths(infoProgressSchema, changed));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(REPLACEMENTS.length);
  });
});
