#!/usr/bin/env node
// The public surface of every entry point of the published packages, one committed listing each (api/*.api.md).
//   node scripts/api-report.mjs          writes the listings (pnpm api-report)
//   node scripts/api-report.mjs --check  fails when the surface differs from the committed listings
// Entry points come from each package.json `exports` (its `@chronos/source` file); the listing names every export
// with its kind and type, as TypeScript sees it, so a change of the public surface is a visible diff. --check also fails
// when an entry point exports an internal helper, or a public signature names a type that no entry point exports.
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['packages/core', 'packages/s3-verify', 'packages/cli-example'];
const OUT = join(root, 'api');
const FLAGS = ts.TypeFormatFlags.NoTruncation;
// Types from other modules print as import("/abs/path").Name and unique symbols with a counter: keep names only.
const portable = (text) => text.replace(/import\("[^"]+"\)\./g, '').replace(/__@(\w+)@\d+/g, '[$1]');

/** Every entry point: package name, subpath, source file. */
export function entryPoints() {
  const entries = [];
  for (const dir of PACKAGES) {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const source = typeof target === 'object' ? target['@chronos/source'] : undefined;
      if (source === undefined) continue;
      entries.push({ name: manifest.name, subpath, source: join(root, dir, source) });
    }
  }
  return entries;
}

const fileName = ({ name, subpath }) =>
  `${name.replace(/^@/, '').replace('/', '-')}${subpath === '.' ? '' : `-${subpath.slice(2).replaceAll('/', '-')}`}.api.md`;

function describe(checker, symbol) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const name = symbol.getName();
  const decl = target.declarations?.[0];
  const lines = [];
  const typeOf = (s) => checker.typeToString(checker.getTypeOfSymbol(s), undefined, FLAGS);
  const member = (p, prefix = '') =>
    `  ${prefix}${p.getName()}${p.flags & ts.SymbolFlags.Optional ? '?' : ''}: ${typeOf(p)};`;
  const members = (type) =>
    checker
      .getPropertiesOfType(type)
      .map((p) => member(p))
      .sort();
  const own = (table, prefix) =>
    [...(table?.values() ?? [])]
      .filter((p) => !(p.flags & ts.SymbolFlags.Constructor) && p.getName() !== 'prototype')
      .filter((p) => !p.declarations?.some((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Private))
      .map((p) => member(p, prefix))
      .sort();
  if (target.flags & ts.SymbolFlags.Function) {
    for (const signature of checker.getSignaturesOfType(checker.getTypeOfSymbol(target), ts.SignatureKind.Call)) {
      lines.push(`function ${name}${checker.signatureToString(signature, undefined, FLAGS)}`);
    }
  } else if (target.flags & ts.SymbolFlags.Class) {
    const instance = checker.getDeclaredTypeOfSymbol(target);
    const bases = instance.getBaseTypes?.() ?? [];
    lines.push(
      `class ${name}${bases.length ? ` extends ${bases.map((b) => checker.typeToString(b)).join(', ')}` : ''} {`,
    );
    const staticType = checker.getTypeOfSymbol(target);
    for (const signature of checker.getSignaturesOfType(staticType, ts.SignatureKind.Construct)) {
      lines.push(`  constructor${checker.signatureToString(signature, undefined, FLAGS).replace(/: [^:]*$/, '')};`);
    }
    lines.push(...own(target.exports, 'static '), ...own(target.members), '}');
  } else if (target.flags & ts.SymbolFlags.Interface) {
    lines.push(`interface ${name} {`, ...members(checker.getDeclaredTypeOfSymbol(target)), '}');
  } else if (target.flags & ts.SymbolFlags.TypeAlias) {
    const text = decl && ts.isTypeAliasDeclaration(decl) ? decl.type.getText().replace(/\s+/g, ' ') : '?';
    lines.push(`type ${name} = ${text}`);
  } else if (target.flags & ts.SymbolFlags.Variable) {
    const type = checker.getTypeOfSymbol(target);
    const text = checker.typeToString(type);
    lines.push(`const ${name}: ${text}`);
  } else {
    lines.push(`${ts.SymbolFlags[target.flags] ?? 'symbol'} ${name}`);
  }
  return portable(lines.join('\n'));
}

/** The listing of one entry point's public surface. */
export function reportFor(program, entry) {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry.source);
  if (file === undefined) throw new Error(`${entry.source} is not part of the program`);
  const moduleSymbol = checker.getSymbolAtLocation(file);
  const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => (a.getName() < b.getName() ? -1 : 1));
  const title = `${entry.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`;
  return [
    `# API report: ${title}`,
    '',
    `Generated by \`pnpm api-report\` from ${entry.source.slice(root.length + 1)}; ${exports.length} exports. Do not edit.`,
    '',
    '```ts',
    exports.map((symbol) => describe(checker, symbol)).join('\n\n'),
    '```',
    '',
  ].join('\n');
}

// Internal helpers that no entry point may export (the testing kit keeps its documented process runner).
const INTERNAL = [
  'toProcessRequest',
  'dockerKillRequest',
  'LogLineParser',
  'quoteUnsafeIntegers',
  'closestName',
  'walPosition',
  'dstGapRuns',
  'parseVersionNumbers',
  'envNameOf',
  'toOptionMap',
  'bytesToKey',
  'isSalted',
  'infoKeys',
  'infoRawValue',
  'infoValue',
  'repoKeyPrefix',
];
const ALLOWED = new Map([['runProcess', '@chronos/pgbackrest/testing']]);

/** Problems of the public surface: internal helpers exported, or types a listing names that no entry point exports. */
export function surfaceProblems(program, entries, listings) {
  const checker = program.getTypeChecker();
  const exported = new Set();
  const problems = [];
  for (const entry of entries) {
    const title = `${entry.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`;
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry.source)))) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      exported.add(symbol.getName()).add(target.getName());
      const name = symbol.getName();
      if ((INTERNAL.includes(name) || ALLOWED.has(name)) && ALLOWED.get(name) !== title) {
        problems.push(`${title} exports the internal helper ${name}`);
      }
    }
  }
  const declared = new Set();
  const sources = PACKAGES.map((dir) => join(root, dir, 'src'));
  for (const file of program.getSourceFiles()) {
    if (!sources.some((dir) => file.fileName.startsWith(dir))) continue;
    for (const statement of file.statements) {
      const named =
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isEnumDeclaration(statement);
      if (named && statement.name && ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export) {
        declared.add(statement.name.text);
      }
    }
  }
  const referenced = new Set(
    [...listings.values()].flatMap((text) => text.replace(/\/\*[\s\S]*?\*\//g, '').match(/\b[A-Z]\w*\b/g) ?? []),
  );
  for (const name of [...referenced].sort()) {
    if (declared.has(name) && !exported.has(name))
      problems.push(`a public signature names ${name}, which no entry point exports`);
  }
  return problems;
}

/** All listings by file name, and the problems of the surface they show. */
export function surface() {
  const entries = entryPoints();
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'packages/core/tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  const program = ts.createProgram({
    rootNames: entries.map((e) => e.source),
    options: { ...config.options, noEmit: true, customConditions: ['@chronos/source'] },
  });
  const listings = new Map(entries.map((entry) => [fileName(entry), reportFor(program, entry)]));
  return { listings, problems: surfaceProblems(program, entries, listings) };
}

/** The names of listings that differ from the committed ones (missing, changed or no longer an entry point). */
export function differences(current = surface().listings) {
  const committed = existsSync(OUT) ? readdirSync(OUT).filter((f) => f.endsWith('.api.md')) : [];
  const differing = [];
  for (const [name, text] of current) {
    const path = join(OUT, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) differing.push(name);
  }
  for (const name of committed) if (!current.has(name)) differing.push(name);
  return differing;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { listings: current, problems } = surface();
  for (const problem of problems) console.error(`api: ${problem}`);
  if (process.argv.includes('--check')) {
    if (problems.length > 0) process.exit(1);
    const differing = differences(current);
    if (differing.length > 0) {
      console.error(
        `the public API differs from the committed report in api/: ${differing.join(', ')}\n` +
          'if the change is deliberate, run `pnpm api-report` and commit api/',
      );
      process.exit(1);
    }
    console.log(`api report: ${current.size} entry points match api/`);
  } else {
    mkdirSync(OUT, { recursive: true });
    for (const name of readdirSync(OUT))
      if (name.endsWith('.api.md') && !current.has(name)) unlinkSync(join(OUT, name));
    for (const [name, text] of current) writeFileSync(join(OUT, name), text);
    console.log(`api report: wrote ${[...current.keys()].join(', ')} to api/`);
  }
}
