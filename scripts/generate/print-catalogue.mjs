#!/usr/bin/env node
// Prints the option and command definitions a generated catalogue holds, as indented JSON.
//
// Usage: node scripts/generate/print-catalogue.mjs <version>   (2.45, 2.55.1, 2.59.1, 2.60.0)
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

const version = process.argv[2];
if (!version) {
  console.error('usage: print-catalogue.mjs <version>');
  process.exit(2);
}
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const file = join(repoRoot, 'packages/core/src/catalogue', `data-${version.replaceAll('.', '-')}.generated.ts`);
const source = readFileSync(file, 'utf8');
// The oldest release is stored as JSON text, the others as base64 of brotli-compressed JSON.
const text = /^const JSON_TEXT = '(.*)';$/m.exec(source)?.[1];
const packed = [...source.matchAll(/^ {2}'([A-Za-z0-9+/=]+)',$/gm)].map((match) => match[1]).join('');
const json =
  text === undefined
    ? brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8')
    : text.replace(/\\(.)/g, '$1');
const { commandRules, rules, options, ...rest } = JSON.parse(json);
for (const option of Object.values(options)) {
  option.commands = Object.fromEntries(
    Object.entries(commandRules[option.commands]).map(([command, rule]) => [command, rules[rule]]),
  );
}
process.stdout.write(`${JSON.stringify({ ...rest, options }, null, 2)}\n`);
