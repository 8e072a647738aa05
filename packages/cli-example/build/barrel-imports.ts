import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import ts from 'typescript';

/** Where each name a barrel re-exports is defined: exported name → module file and its name there. */
type BarrelMap = ReadonlyMap<string, { readonly file: string; readonly name: string }>;

/** The source entry (`@chronos/source` condition) of a workspace package's subpath export. */
function sourceEntry(specifier: string, from: string): string | undefined {
  const [scope, name, ...rest] = specifier.split('/');
  const packageJson = createRequire(from).resolve(`${scope}/${name}/package.json`);
  const exports = JSON.parse(readFileSync(packageJson, 'utf8')).exports as Record<string, Record<string, unknown>>;
  const entry = exports[rest.length === 0 ? '.' : `./${rest.join('/')}`]?.['@chronos/source'];
  return typeof entry === 'string' ? resolve(dirname(packageJson), entry) : undefined;
}

/** The value re-exports of a module, followed through the modules it re-exports from. */
function readBarrel(file: string, seen: Map<string, BarrelMap> = new Map()): BarrelMap {
  const known = seen.get(file);
  if (known) return known;
  const map = new Map<string, { file: string; name: string }>();
  seen.set(file, map);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly || !statement.moduleSpecifier) continue;
    if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    const target = resolve(dirname(file), (statement.moduleSpecifier as ts.StringLiteral).text.replace(/\.js$/, '.ts'));
    for (const element of statement.exportClause.elements) {
      if (element.isTypeOnly) continue;
      const name = (element.propertyName ?? element.name).text;
      map.set(element.name.text, readBarrel(target, seen).get(name) ?? { file: target, name });
    }
  }
  return map;
}

type Clause = { keyword: 'import' | 'export'; elements: readonly (ts.ImportSpecifier | ts.ExportSpecifier)[] };

/** The named bindings of an `import { … } from` or `export { … } from` statement, else undefined. */
function clauseOf(statement: ts.Statement): Clause | undefined {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly || clause.name || !clause.namedBindings) return undefined;
    if (!ts.isNamedImports(clause.namedBindings)) return undefined;
    return { keyword: 'import', elements: clause.namedBindings.elements };
  }
  if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.exportClause) {
    if (!ts.isNamedExports(statement.exportClause)) return undefined;
    return { keyword: 'export', elements: statement.exportClause.elements };
  }
  return undefined;
}

/**
 * Rewrites the value imports and re-exports of a file that name a barrel into imports (re-exports) of the modules that
 * define them.
 */
function rewrite(text: string, file: string, barrelOf: (specifier: string) => BarrelMap | undefined): string {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  let out = '';
  let copied = 0;
  for (const statement of source.statements) {
    const moduleSpecifier = (statement as ts.ImportDeclaration | ts.ExportDeclaration).moduleSpecifier;
    if (!moduleSpecifier || !ts.isStringLiteral(moduleSpecifier)) continue;
    const clause = clauseOf(statement);
    const barrel = clause && barrelOf(moduleSpecifier.text);
    if (!clause || !barrel) continue;
    const { keyword } = clause;
    const kept: (ts.ImportSpecifier | ts.ExportSpecifier)[] = [];
    const byFile = new Map<string, string[]>();
    for (const element of clause.elements) {
      const inBarrel = (element.propertyName ?? element.name).text;
      const origin = element.isTypeOnly ? undefined : barrel.get(inBarrel);
      if (!origin) {
        kept.push(element);
        continue;
      }
      const list = byFile.get(origin.file) ?? [];
      list.push(origin.name === element.name.text ? origin.name : `${origin.name} as ${element.name.text}`);
      byFile.set(origin.file, list);
    }
    const statements = [...byFile].map(
      ([target, names]) => `${keyword} { ${names.join(', ')} } from ${JSON.stringify(target)};`,
    );
    if (kept.some((element) => !element.isTypeOnly)) {
      const names = kept.map((element) => element.getText(source));
      statements.push(`${keyword} { ${names.join(', ')} } from ${JSON.stringify(moduleSpecifier.text)};`);
    } else if (kept.length > 0) {
      const names = kept.map((element) => element.getText(source).replace(/^type\s+/, ''));
      statements.push(`${keyword} type { ${names.join(', ')} } from ${JSON.stringify(moduleSpecifier.text)};`);
    }
    out += text.slice(copied, statement.getStart(source)) + statements.join(' ');
    copied = statement.getEnd();
  }
  return out + text.slice(copied);
}

/**
 * An esbuild plugin that imports each name from the module that defines it rather than through a package's barrel
 * (`index.ts`), for the workspace packages the executable bundles from source. esbuild's code splitting assigns a whole
 * file to the chunks of every entry that reaches it, so a command that imports one function through a barrel would also
 * load the chunks of every module the barrel names. Re-exports are rewritten alike; type imports and names a barrel
 * defines itself are left as they are.
 */
export function barrelImports(packages: readonly string[], sourceDir: string): Plugin {
  return {
    name: 'barrel-imports',
    setup(build) {
      const barrels = new Map<string, BarrelMap | undefined>();
      // One parse per module however many barrels re-export it.
      const modules = new Map<string, BarrelMap>();
      const barrelOf = (specifier: string, from: string): BarrelMap | undefined => {
        if (!packages.some((name) => specifier === name || specifier.startsWith(`${name}/`))) return undefined;
        if (!barrels.has(specifier)) {
          const entry = sourceEntry(specifier, from);
          barrels.set(specifier, entry === undefined ? undefined : readBarrel(entry, modules));
        }
        return barrels.get(specifier);
      };
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(sourceDir)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        return { contents: rewrite(text, args.path, (specifier) => barrelOf(specifier, args.path)), loader: 'ts' };
      });
    },
  };
}
