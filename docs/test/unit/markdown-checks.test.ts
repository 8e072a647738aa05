import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInvocation, parseCliReference } from '../../../scripts/docs/cli-help.mjs';
import {
  anchorsOf,
  chronosInvocations,
  extractLinks,
  markdownFiles,
  renderSnippet,
  snippetBlocks,
} from '../../../scripts/docs/markdown.mjs';
import { REPO_ROOT, SNIPPETS_DIR } from '../paths.js';

const files = markdownFiles(REPO_ROOT);
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const snippetNames = readdirSync(SNIPPETS_DIR)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => name.slice(0, -3));

describe('links', () => {
  it.each(files)('every relative link and #anchor in %s resolves; external links are well-formed', (file) => {
    const problems: string[] = [];
    for (const { target, line } of extractLinks(read(file))) {
      const where = `${file}:${line} → ${target}`;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        if (/^https?:/i.test(target)) {
          try {
            const url = new URL(target);
            if (!url.hostname.includes('.')) problems.push(`${where}: no domain in host`);
          } catch {
            problems.push(`${where}: not a valid URL`);
          }
        } else if (!/^mailto:/i.test(target)) problems.push(`${where}: unexpected scheme`);
        continue;
      }
      const [pathPart = '', anchor] = target.split('#', 2);
      const resolved = pathPart === '' ? file : normalize(join(dirname(file), decodeURIComponent(pathPart)));
      const absolute = join(REPO_ROOT, resolved);
      if (resolved.startsWith('..') || !existsSync(absolute)) {
        problems.push(`${where}: ${resolved} does not exist`);
        continue;
      }
      if (anchor !== undefined) {
        if (statSync(absolute).isDirectory() || !resolved.endsWith('.md')) {
          problems.push(`${where}: an anchor needs a Markdown file`);
        } else if (!anchorsOf(readFileSync(absolute, 'utf8')).has(anchor)) {
          problems.push(`${where}: no heading #${anchor} in ${resolved}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('snippets', () => {
  const inclusions = files.flatMap((file) => snippetBlocks(read(file)).map((block) => ({ file, ...block })));

  it('there are snippets, and every snippet file is included somewhere', () => {
    expect(snippetNames.length).toBeGreaterThan(0);
    const included = new Set(inclusions.map((block) => block.name));
    expect(snippetNames.filter((name) => !included.has(name))).toEqual([]);
  });

  it.each(files)(
    'every snippet in %s is its source file, unchanged (fix: node scripts/docs/include-snippets.mjs)',
    (file) => {
      for (const block of snippetBlocks(read(file))) {
        expect(snippetNames, `${file}:${block.line} includes unknown snippet ${block.name}`).toContain(block.name);
        const source = readFileSync(join(SNIPPETS_DIR, `${block.name}.ts`), 'utf8');
        expect(block.body, `${file}:${block.line} snippet ${block.name} is stale`).toBe(renderSnippet(source));
      }
    },
  );
});

describe('chronos commands in shell snippets', () => {
  const model = parseCliReference(read('docs/reference/cli.md'));
  const invocations = files.flatMap((file) =>
    file === 'docs/reference/cli.md' ? [] : chronosInvocations(read(file)).map((found) => ({ file, ...found })),
  );

  it('the docs show chronos commands', () => {
    expect(invocations.length).toBeGreaterThan(10);
  });

  it('every subcommand and flag they use exists in the CLI', () => {
    const problems = invocations.flatMap(({ file, line, words }) =>
      checkInvocation(words, model).map((problem) => `${file}:${line}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });
});

describe('package READMEs', () => {
  const readmes = files.filter((file) => /^packages\/[^/]+\/README\.md$/.test(file));

  it('every package has one', () => {
    const packages = readdirSync(join(REPO_ROOT, 'packages')).filter((name) =>
      existsSync(join(REPO_ROOT, 'packages', name, 'package.json')),
    );
    expect(readmes.map((file) => file.split('/')[1]).sort()).toEqual(packages.sort());
  });

  it.each(readmes)('%s has install steps for its package, a checked example and links to the docs', (file) => {
    const text = read(file);
    const { name } = JSON.parse(read(join(dirname(file), 'package.json'))) as { name: string };
    expect(text).toMatch(/^## Install$/m);
    expect(text).toMatch(new RegExp(`pnpm add (?:-\\S+ )*${name.replace('/', '\\/')}`));
    expect(snippetBlocks(text).length).toBeGreaterThan(0);
    expect(extractLinks(text).filter((link) => link.target.includes('docs/')).length).toBeGreaterThan(0);
  });
});
