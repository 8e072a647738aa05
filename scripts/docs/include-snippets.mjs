// Rewrites every `<!-- snippet: name -->` … `<!-- /snippet -->` block in the docs and READMEs from docs/snippets/name.ts.
// Run after editing a snippet: `node scripts/docs/include-snippets.mjs`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { includeSnippets, markdownFiles } from './markdown.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** @param {string} name */
const readSnippet = (name) => {
  const path = join(root, 'docs', 'snippets', `${name}.ts`);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
};
for (const file of markdownFiles(root)) {
  const path = join(root, file);
  if (!existsSync(path)) continue;
  const text = readFileSync(path, 'utf8');
  const updated = includeSnippets(text, readSnippet);
  if (updated !== text) {
    writeFileSync(path, updated);
    console.log(`updated ${file}`);
  }
}
