// Pure Markdown helpers shared by the docs generators and the docs tests: files, links, anchors, snippets, shell lines.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** @typedef {{ name: string, body: string, line: number }} SnippetBlock */
/** @typedef {{ target: string, line: number }} MarkdownLink */
/** @typedef {{ lang: string, body: string, line: number }} CodeBlock */

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/;

/**
 * The Markdown files the docs checks cover: docs/**\/*.md (not the generated API), every package README and the
 * repository README. Paths are relative to `root`, sorted.
 * @param {string} root
 * @returns {string[]}
 */
export function markdownFiles(root) {
  /** @type {string[]} */
  const files = ['README.md'];
  /** @param {string} dir */
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'api', 'snippets', 'test'].includes(entry.name)) walk(path);
      } else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    if (entry.isDirectory()) files.push(relative(root, join(root, 'packages', entry.name, 'README.md')));
  }
  return files.sort();
}

/**
 * Fenced code blocks with their info-string language and the 1-based line of the opening fence.
 * @param {string} text
 * @returns {CodeBlock[]}
 */
export function codeBlocks(text) {
  /** @type {CodeBlock[]} */
  const blocks = [];
  const lines = text.split('\n');
  /** @type {{ fence: string, lang: string, line: number, body: string[] } | undefined} */
  let open;
  lines.forEach((line, index) => {
    const match = FENCE.exec(line);
    if (open === undefined) {
      if (match) open = { fence: match[1] ?? '```', lang: match[2] ?? '', line: index + 1, body: [] };
    } else if (match && (match[1] ?? '').startsWith(open.fence) && (match[2] ?? '') === '') {
      blocks.push({ lang: open.lang, body: open.body.join('\n'), line: open.line });
      open = undefined;
    } else {
      open.body.push(line);
    }
  });
  return blocks;
}

/**
 * The text with fenced code blocks and inline code blanked out (line numbers kept), so links and headings inside
 * code are not mistaken for real ones.
 * @param {string} text
 * @returns {string}
 */
export function withoutCode(text) {
  let inFence = '';
  return text
    .split('\n')
    .map((line) => {
      const match = FENCE.exec(line);
      if (inFence === '') {
        if (match) {
          inFence = match[1] ?? '```';
          return '';
        }
        return line.replace(/(`+)[^`]*?\1/g, '');
      }
      if (match && (match[1] ?? '').startsWith(inFence) && (match[2] ?? '') === '') inFence = '';
      return '';
    })
    .join('\n');
}

/**
 * Inline links and images `[text](target)` and reference definitions `[id]: target`, outside code.
 * @param {string} text
 * @returns {MarkdownLink[]}
 */
export function extractLinks(text) {
  /** @type {MarkdownLink[]} */
  const links = [];
  withoutCode(text)
    .split('\n')
    .forEach((line, index) => {
      for (const match of line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        links.push({ target: match[1] ?? '', line: index + 1 });
      }
      const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
      if (definition) links.push({ target: definition[1] ?? '', line: index + 1 });
      for (const match of line.matchAll(/<a\s[^>]*href="([^"]+)"/g))
        links.push({ target: match[1] ?? '', line: index + 1 });
    });
  return links;
}

/**
 * GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens.
 * @param {string} heading
 * @returns {string}
 */
export function slugify(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * Every anchor a document offers: heading slugs (with GitHub's -1, -2 suffixes for repeats) and explicit
 * `<a id="…">` / `<a name="…">` targets.
 * @param {string} text
 * @returns {Set<string>}
 */
export function anchorsOf(text) {
  const anchors = new Set();
  /** @type {Map<string, number>} */
  const seen = new Map();
  for (const line of withoutCode(text).split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slugify(heading[1] ?? '');
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(match[1]);
  }
  return anchors;
}

/**
 * Snippet inclusions: `<!-- snippet: name -->` … `<!-- /snippet -->`, with the text between the markers.
 * @param {string} text
 * @returns {SnippetBlock[]}
 */
export function snippetBlocks(text) {
  return [...text.matchAll(/<!-- snippet: ([\w.-]+) -->\n([\s\S]*?)<!-- \/snippet -->/g)].map((match) => ({
    name: match[1] ?? '',
    body: match[2] ?? '',
    line: text.slice(0, match.index).split('\n').length,
  }));
}

/**
 * What an included snippet must look like between its markers: the source file, whole, in a `ts` fence.
 * @param {string} source
 * @returns {string}
 */
export function renderSnippet(source) {
  return '```ts\n' + source.replace(/\n*$/, '\n') + '```\n';
}

/**
 * Rewrites every snippet inclusion from its source; unknown names are left as they are (the checks report them).
 * @param {string} text
 * @param {(name: string) => string | undefined} readSnippet
 * @returns {string}
 */
export function includeSnippets(text, readSnippet) {
  return text.replace(/(<!-- snippet: ([\w.-]+) -->\n)[\s\S]*?(<!-- \/snippet -->)/g, (whole, open, name, close) => {
    const source = readSnippet(name);
    return source === undefined ? whole : open + renderSnippet(source) + close;
  });
}

/**
 * Splits a shell line into words: single and double quotes, backslash escapes; stops at a comment.
 * @param {string} line
 * @returns {string[]}
 */
export function shellWords(line) {
  /** @type {string[]} */
  const words = [];
  let word = '';
  let started = false;
  /** @type {string | undefined} */
  let quote;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] ?? '';
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      started = true;
    } else if (char === '\\' && i + 1 < line.length) {
      word += line[++i];
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else if (char === '#' && !started) {
      break;
    } else {
      word += char;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

/**
 * The `chronos …` invocations in the shell blocks (sh, bash, shell, console) of a document, as word lists starting
 * after `chronos`. Continuation lines are joined; pipelines, `&&`, `;` and redirections end an invocation.
 * @param {string} text
 * @returns {{ words: string[], line: number }[]}
 */
export function chronosInvocations(text) {
  /** @type {{ words: string[], line: number }[]} */
  const found = [];
  for (const block of codeBlocks(text)) {
    if (!['sh', 'bash', 'shell', 'console'].includes(block.lang)) continue;
    const joined = block.body.replace(/\\\n\s*/g, ' ').split('\n');
    joined.forEach((raw, index) => {
      const line = raw.replace(/^\s*\$\s+/, '');
      for (const segment of line.split(/\s(?:&&|\|\||\||;)\s/)) {
        const words = shellWords(segment.replace(/\s[12]?>.*$/, ''));
        const start = words.findIndex((word, at) => word === 'chronos' && (at === 0 || isLauncher(words, at)));
        if (start >= 0) found.push({ words: words.slice(start + 1), line: block.line + 1 + index });
      }
    });
  }
  return found;
}

/**
 * @param {string[]} words
 * @param {number} at
 */
function isLauncher(words, at) {
  const before = words.slice(0, at).join(' ');
  return /^(?:(?:[A-Z_][A-Z0-9_]*=\S*\s*)+|npx|pnpm exec|pnpm|sudo|sudo -u \w+|exec|docker exec \S+)$/.test(before);
}
