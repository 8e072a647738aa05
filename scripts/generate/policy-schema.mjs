#!/usr/bin/env node
// Generates packages/core/schema/policy.schema.json from the zod policy schema
// (packages/core/src/policy/schema.ts) with z.toJSONSchema. The unit test
// packages/core/test/unit/policy/json-schema.test.ts fails when the committed file is stale.
//
// Usage: node scripts/generate/policy-schema.mjs
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = mkdtempSync(join(tmpdir(), 'policy-schema-'));
try {
  await build({
    entry: { 'json-schema': join(repoRoot, 'packages/core/src/policy/json-schema.ts') },
    outDir,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    config: false,
    dts: false,
    silent: true,
  });
  const { policyJsonSchema } = await import(pathToFileURL(join(outDir, 'json-schema.js')).href);
  const target = join(repoRoot, 'packages/core/schema/policy.schema.json');
  writeFileSync(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${target}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
