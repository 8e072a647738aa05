#!/usr/bin/env node
// Generates packages/core/src/catalogue/*.generated.ts and packages/core/src/errors/codes.generated.ts
// from pgBackRest's own config.yaml / error.yaml.
//
// Usage: node scripts/generate/catalogue.mjs [DEFINITIONS_DIR]
//   DEFINITIONS_DIR holds <version>/config.yaml and <version>/error.yaml (default: ../shared/pgbackrest).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(repoRoot, 'packages/core/package.json'));
const { parseDocument, isMap, isSeq, isScalar } = require('yaml');

const definitionsDir = resolve(repoRoot, process.argv[2] ?? '../shared/pgbackrest');
const outDir = join(repoRoot, 'packages/core/src/catalogue');
const errorsOutDir = join(repoRoot, 'packages/core/src/errors');

/** Catalogue version → folder holding that release's definitions. */
const VERSIONS = [
  ['2.45', '2.45'],
  ['2.55.1', '2.55.1'],
  ['2.59.1', '2.59.1'],
  ['2.60.0', '2.60.0dev'],
];

/** C defines used as literal defaults, expanded to what a stock build uses. */
const LITERALS = {
  'CFGOPTDEF_CONFIG_PATH "/" PROJECT_CONFIG_FILE': '/etc/pgbackrest/pgbackrest.conf',
  'CFGOPTDEF_CONFIG_PATH "/" PROJECT_CONFIG_INCLUDE_PATH': '/etc/pgbackrest/conf.d',
  CFGOPTDEF_CONFIG_PATH: '/etc/pgbackrest',
};

const ROLE_ORDER = ['main', 'async', 'local', 'remote'];

/** Commands that carry no configuration and are left out of `+role: any`. */
const NO_CONFIG_COMMANDS = new Set(['help', 'version']);

// ---------------------------------------------------------------------------------------------------------------------
// YAML (1.2 failsafe: every scalar stays a string; duplicate keys kept in order)

function toPlain(node) {
  if (isMap(node)) {
    const pairs = node.items.map((pair) => [String(pair.key.value), toPlain(pair.value)]);
    const object = { $pairs: pairs };
    for (const [key, value] of pairs) {
      if (key in object && key !== '$pairs') {
        object[`$all:${key}`] = [...(object[`$all:${key}`] ?? [object[key]]), value];
      }
      object[key] = value;
    }
    return object;
  }
  if (isSeq(node)) return node.items.map(toPlain);
  if (isScalar(node)) return node.value === '~' ? null : String(node.value);
  if (node === null || node === undefined) return null;
  throw new Error(`unexpected YAML node ${node}`);
}

function load(file) {
  const doc = parseDocument(readFileSync(file, 'utf8'), { schema: 'failsafe', uniqueKeys: false, version: '1.2' });
  if (doc.errors.length > 0) throw doc.errors[0];
  return toPlain(doc.contents);
}

const bool = (value) => value === 'true';
const keysOf = (map) => (map && typeof map === 'object' ? map.$pairs.map(([key]) => key) : []);

// ---------------------------------------------------------------------------------------------------------------------
// Resolution

function parseCommands(raw) {
  const commands = {};
  for (const [name, def] of raw.$pairs) {
    commands[name] = {
      name,
      internal: bool(def?.internal),
      roles: ['main', ...keysOf(def?.['command-role'])],
      parameterAllowed: bool(def?.['parameter-allowed']),
      lockType: def?.['lock-type'] ?? 'none',
    };
  }
  return commands;
}

/** Values of a list that may hold conditional items (`- zst: HAVE_LIBZST`) or per-value items (`- gz: 6`). */
function splitValueList(list) {
  if (!Array.isArray(list)) throw new Error(`expected a list of values, got ${JSON.stringify(list)}`);
  const plain = [];
  const keyed = {};
  for (const item of list) {
    if (typeof item === 'string') plain.push(item);
    else for (const [key, value] of item.$pairs) keyed[key] = value;
  }
  return { plain, keyed };
}

function parseDepend(raw, inherit) {
  if (raw === undefined || raw === null) return undefined;
  // A scalar names the option whose dependency this one shares (as pgBackRest's build reads it).
  if (typeof raw === 'string') return inherit(raw);
  return {
    option: raw.option,
    ...(raw.list ? { list: raw.list.map(String) } : {}),
    ...(raw.default !== undefined ? { default: raw.default } : {}),
  };
}

function parseDefault(def) {
  const values = def['$all:default'] ?? (def.default === undefined ? [] : [def.default]);
  const kind = def['default-type'] ?? (bool(def['default-literal']) ? 'literal' : 'value');
  const out = {};
  for (const value of values) {
    if (value === null) continue;
    if (Array.isArray(value)) out.defaultFor = { ...out.defaultFor, ...splitValueList(value).keyed };
    else out.default = kind === 'literal' ? (LITERALS[value] ?? value) : value;
  }
  if (kind === 'dynamic') out.defaultDynamic = true;
  return out;
}

function resolveCatalogue(raw) {
  const commands = parseCommands(raw.command);
  const rawOptions = raw.option;
  const flattened = new Map();

  function flatten(name, seen = []) {
    if (flattened.has(name)) return flattened.get(name);
    const own = rawOptions[name];
    if (!own) throw new Error(`unknown option ${name} (via ${seen.join(' → ')})`);
    let def = own;
    if (own.inherit) {
      const { deprecate: _d, inherit: _i, ...base } = flatten(own.inherit, [...seen, name]);
      def = { ...base, ...own };
      for (const key of Object.keys(own)) {
        if (key.startsWith('$all:')) continue;
        if (own[`$all:${key}`] === undefined) delete def[`$all:${key}`];
      }
    }
    flattened.set(name, def);
    return def;
  }

  const commandMaps = new Map();
  function commandMap(name) {
    if (commandMaps.has(name)) return commandMaps.get(name);
    const def = flatten(name);
    const raw = def.command;
    let result;
    if (raw === undefined || raw === null)
      result = Object.fromEntries(
        Object.keys(commands)
          .filter((command) => !NO_CONFIG_COMMANDS.has(command))
          .map((command) => [command, {}]),
      );
    else if (typeof raw === 'string') result = { ...commandMap(raw) };
    else {
      result = {};
      for (const [key, value] of raw.$pairs) {
        if (key === '+role') {
          for (const command of Object.values(commands)) {
            const hit = value === 'any' ? !NO_CONFIG_COMMANDS.has(command.name) : command.roles.includes(value);
            if (hit && !(command.name in result)) result[command.name] = {};
          }
        } else if (key === '+inherit') {
          for (const command of Object.keys(commandMap(value))) if (!(command in result)) result[command] = {};
        } else if (key === '-command') {
          delete result[value];
        } else {
          result[key] = value ?? {};
        }
      }
    }
    commandMaps.set(name, result);
    return result;
  }

  /** An allow-list is a list of values or, as a scalar, the name of the option whose list it shares. */
  function allowListOf(raw, seen = []) {
    if (typeof raw !== 'string') return splitValueList(raw);
    if (seen.includes(raw)) throw new Error(`allow-list reference cycle: ${[...seen, raw].join(' → ')}`);
    const target = flatten(raw)['allow-list'];
    if (target === undefined) throw new Error(`allow-list refers to ${raw}, which has none`);
    return allowListOf(target, [...seen, raw]);
  }

  const options = {};
  for (const name of Object.keys(rawOptions).filter((key) => key !== '$pairs')) {
    const def = flatten(name);
    const defaults = parseDefault(def);
    const allow = def['allow-list'] ? allowListOf(def['allow-list']) : undefined;
    const range = def['allow-range'];
    const optionRoles = def['command-role'] ? keysOf(def['command-role']) : undefined;
    const required = def.required === undefined ? true : bool(def.required);
    const inheritDepend = (option) => parseDepend(flatten(option).depend, inheritDepend);
    const depend = parseDepend(def.depend, inheritDepend);
    const perCommand = {};
    for (const [command, override] of Object.entries(commandMap(name))) {
      if (!commands[command]) throw new Error(`option ${name}: unknown command ${command}`);
      const roles = (
        override['command-role']
          ? keysOf(override['command-role'])
          : optionRoles
            ? optionRoles.filter((role) => commands[command].roles.includes(role))
            : commands[command].roles
      ).sort((a, b) => ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b));
      if (roles.length === 0) continue;
      const entry = {
        required: override.required === undefined ? required : bool(override.required),
        internal: bool(def.internal) || bool(override.internal) || commands[command].internal,
        roles,
      };
      const overrideDefault = override.default === undefined ? {} : parseDefault(override);
      if (overrideDefault.default !== undefined) entry.default = overrideDefault.default;
      if (override['allow-list']) {
        const list = allowListOf(override['allow-list']);
        entry.allowList = [...list.plain, ...Object.keys(list.keyed)];
      }
      const overrideDepend = parseDepend(override.depend, inheritDepend);
      if (overrideDepend) entry.depend = overrideDepend;
      perCommand[command] = entry;
    }
    const group = def.group ?? undefined;
    const option = {
      name,
      type: def.type,
      section: def.section ?? 'command-line',
      ...(group ? { group } : {}),
      secure: bool(def.secure),
      internal: bool(def.internal),
      beta: bool(def.beta),
      negate: def.negate === undefined ? def.type === 'boolean' && def.section !== undefined : bool(def.negate),
      reset: def.section !== undefined,
      required,
      ...defaults,
      ...(allow ? { allowList: [...allow.plain, ...Object.keys(allow.keyed)] } : {}),
      ...(range && typeof range[0] === 'string' ? { allowRange: [range[0], range[1]] } : {}),
      ...(range && typeof range[0] === 'object' ? { allowRangeFor: splitValueList(range).keyed } : {}),
      ...(depend ? { depend } : {}),
      deprecatedNames: keysOf(def.deprecate),
      commands: perCommand,
    };
    if (!option.type) throw new Error(`option ${name} has no type`);
    options[name] = option;
  }
  return { commands, options };
}

function loadErrors(file) {
  const raw = load(file);
  const errors = {};
  for (const [name, value] of raw.$pairs) {
    const code = typeof value === 'string' ? value : value.code;
    errors[name] = { name, code: Number(code), fatal: typeof value === 'object' && bool(value.fatal) };
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------------------------
// Emit

const HEADER = `// Generated by scripts/generate/catalogue.mjs from pgBackRest's option definitions. Do not edit.\n`;

/**
 * The catalogue with every option's command rules as an index into `commandRules`, whose rules index `rules`: 165
 * options hold 73 distinct command maps of 42 distinct rules, so the decoder builds each once (packed.ts).
 */
function shareRules(catalogue) {
  const rules = [];
  const ruleIndex = new Map();
  const commandRules = [];
  const mapIndex = new Map();
  const indexOf = (list, index, value) => {
    const key = JSON.stringify(value);
    if (!index.has(key)) {
      index.set(key, list.length);
      list.push(value);
    }
    return index.get(key);
  };
  const options = {};
  for (const [name, option] of Object.entries(catalogue.options)) {
    const map = Object.fromEntries(
      Object.entries(option.commands).map(([command, rule]) => [command, indexOf(rules, ruleIndex, rule)]),
    );
    options[name] = { ...option, commands: indexOf(commandRules, mapIndex, map) };
  }
  return { ...catalogue, options, commandRules, rules };
}

function pascal(name) {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, ch) => ch.toUpperCase());
}

const catalogues = VERSIONS.map(([version, dir]) => ({
  version,
  dir,
  ...resolveCatalogue(load(join(definitionsDir, dir, 'config.yaml'))),
}));

const versionsOf = {};
for (const { version, options } of catalogues) {
  for (const name of Object.keys(options)) {
    versionsOf[name] ??= [];
    versionsOf[name].push(version);
  }
}

for (const { version, dir, commands, options } of catalogues) {
  for (const option of Object.values(options)) option.versions = versionsOf[option.name];
  const constName = `catalogue${version.replaceAll('.', '_')}`;
  // Brotli-compressed JSON, decoded on first use: a few kilobytes of base64 per release instead of 200 KB of text,
  // so loading the module costs next to nothing and a process that needs one release decodes only that one. The
  // oldest release stays JSON text: the client builds `info` against it before it knows the version, and decoding it
  // there must not load zlib (several milliseconds of every `chronos info`).
  const json = JSON.stringify(shareRules({ version, source: dir, commands, options }));
  const oldest = version === VERSIONS[0][0];
  const packed = brotliCompressSync(json, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: json.length },
  }).toString('base64');
  const lines = packed.match(/.{1,116}/g).map((line) => `  '${line}'`);
  const data = oldest
    ? `const JSON_TEXT = '${json.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}';`
    : `const PACKED = [\n${lines.join(',\n')},\n].join('');`;
  const decode = oldest ? 'unpackCatalogue(JSON_TEXT)' : 'unpackCatalogue(decompressCatalogue(PACKED))';
  const file = `${HEADER}// Source: pgBackRest ${dir} config.yaml (${Object.keys(options).length} options, ${Object.keys(commands).length} commands).
// Its ${json.length} bytes of JSON${oldest ? '' : ', brotli-compressed'}; read them with: node scripts/generate/print-catalogue.mjs ${version}
import type { CatalogueData } from './model.js';
import { ${oldest ? 'unpackCatalogue' : 'decompressCatalogue, unpackCatalogue'} } from './packed.js';

${data}

/** Resolved option and command definitions of pgBackRest ${dir}, decoded on each call. */
export function ${constName}(): CatalogueData {
  return ${decode};
}
`;
  writeFileSync(join(outDir, `data-${version.replaceAll('.', '-')}.generated.ts`), file);
  console.log(`${version}: ${Object.keys(options).length} options, ${Object.keys(commands).length} commands`);
}

// Types: union over every catalogue version, newest wins for allow-lists.
function valueType(option, allAllowLists) {
  const literals = allAllowLists.size > 0 ? [...allAllowLists].map((v) => JSON.stringify(v)).join(' | ') : undefined;
  switch (option.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'number';
    case 'time':
      return 'number';
    case 'size':
      return literals ?? 'number | SizeString';
    case 'hash':
      return 'Readonly<Record<string, string>>';
    case 'list':
      return 'readonly string[]';
    case 'string-id':
      return literals ?? 'string';
    default:
      return literals && option.allowList ? literals : 'string';
  }
}

const publicCommands = new Set();
for (const { commands } of catalogues) {
  for (const command of Object.values(commands))
    if (!command.internal && command.name !== 'help') publicCommands.add(command.name);
}

let types = `${HEADER}
/** A size as pgBackRest writes it: \`512KiB\`, \`4MiB\`, \`1GiB\` (or a plain number of bytes). */
export type SizeString = \`\${number}\${'' | 'B' | 'KB' | 'KiB' | 'MB' | 'MiB' | 'GB' | 'GiB' | 'TB' | 'TiB' | 'PB' | 'PiB'}\`;

/** pgBackRest commands the SDK exposes (all catalogue versions). */
export type CommandName = ${[...publicCommands]
  .sort()
  .map((c) => JSON.stringify(c))
  .join(' | ')};
`;
const commandTypeNames = [];
for (const command of [...publicCommands].sort()) {
  const props = new Map();
  for (const { options } of catalogues) {
    for (const option of Object.values(options)) {
      const entry = option.commands[command];
      if (!entry || entry.internal || !entry.roles.includes('main')) continue;
      const allow = props.get(option.name)?.allow ?? new Set();
      for (const value of entry.allowList ?? option.allowList ?? []) allow.add(value);
      props.set(option.name, { option, entry, allow, secure: option.secure });
    }
  }
  const lines = [];
  for (const [name, { option, entry, allow }] of [...props].sort(([a], [b]) => a.localeCompare(b))) {
    const type = valueType(option, allow);
    const doc = `  /** ${option.type}${option.secure ? ', secure (sent through the environment, never argv)' : ''}${
      entry.default !== undefined || option.default !== undefined
        ? `, default \`${entry.default ?? option.default}\``
        : ''
    }; pgBackRest ${versionsOf[name].join(', ')}. */`;
    lines.push(doc);
    if (option.group)
      lines.push(`  readonly [name: \`${option.group}\${number}-${name.slice(option.group.length + 1)}\`]: ${type};`);
    else lines.push(`  readonly ${JSON.stringify(name)}?: ${type};`);
  }
  const typeName = `${pascal(command)}Options`;
  commandTypeNames.push([command, typeName]);
  types += `
/**
 * Options pgBackRest accepts for \`${command}\`. Indexed options use their indexed names (\`repo2-s3-bucket\`, \`pg1-path\`).
 * @example
 * const options: ${typeName} = {};
 */
export interface ${typeName} {
${lines.join('\n')}
}
`;
}
types += `
/** Options by command name. */
export interface OptionsByCommand {
${commandTypeNames.map(([command, typeName]) => `  ${JSON.stringify(command)}: ${typeName};`).join('\n')}
}

/** Any option any command accepts (for client-wide defaults). */
export type AnyCommandOptions = ${commandTypeNames.map(([, t]) => `${t}`).join(' & ')};
`;
writeFileSync(join(outDir, 'options.generated.ts'), types);

// Definitions that are the same in every catalogue version as far as one command sees them (the option's rule for that
// command, the rest of the option but not its rules for other commands or its list of versions): a command built from
// these alone is built alike whichever release runs it, so the client need not ask the binary for its version first.
const optionAsSeenBy = (option, command) =>
  JSON.stringify({ ...option, commands: option.commands[command], versions: undefined });
const stableByCommand = Object.keys(catalogues[0].commands)
  .filter((command) =>
    catalogues.every(
      (catalogue) => JSON.stringify(catalogue.commands[command]) === JSON.stringify(catalogues[0].commands[command]),
    ),
  )
  .sort()
  .map((command) => [
    command,
    Object.values(catalogues[0].options)
      .filter((option) => option.commands[command]?.roles.includes('main'))
      .filter((option) =>
        catalogues.every(
          (catalogue) =>
            catalogue.options[option.name] !== undefined &&
            optionAsSeenBy(catalogue.options[option.name], command) === optionAsSeenBy(option, command),
        ),
      )
      .map((option) => option.name)
      .sort(),
  ]);
writeFileSync(
  join(outDir, 'stable.generated.ts'),
  `${HEADER}// Definitions identical in every catalogue version (${VERSIONS.map(([, dir]) => dir).join(', ')}).

/**
 * Per command whose definition is the same in every catalogue version: the options (by definition name: \`repo-path\`,
 * not \`repo1-path\`) that command sees alike in every catalogue version.
 */
export const STABLE_OPTIONS_BY_COMMAND: Readonly<Record<string, readonly string[]>> = {
${stableByCommand.map(([command, names]) => `  ${JSON.stringify(command)}: ${JSON.stringify(names)},`).join('\n')}
};
`,
);

// Errors: union of codes over all versions (codes are stable across releases).
const errorsByName = {};
for (const [version, dir] of VERSIONS) {
  for (const error of Object.values(loadErrors(join(definitionsDir, dir, 'error.yaml')))) {
    const known = errorsByName[error.name];
    if (known && known.code !== error.code) throw new Error(`error ${error.name} changed code in ${version}`);
    errorsByName[error.name] = { ...error, versions: [...(known?.versions ?? []), version] };
  }
}
const errorList = Object.values(errorsByName).sort((a, b) => a.code - b.code);
// Prefixed so that no class can clash with a user's own (ConfigError, FormatError, RuntimeError, …).
const errorClassName = (name) => `PgBackRest${pascal(name)}Error`;
const classes = errorList.map((e) => {
  const className = errorClassName(e.name);
  return `/**
 * pgBackRest error \`${e.name}\`: exit status ${e.code}, \`ERROR: [${String(e.code).padStart(3, '0')}]\` on stderr.
 * @example
 * if (error instanceof ${className}) console.error(error.hint ?? error.message);
 */
export class ${className} extends PgBackRestExitError {
  static readonly errorCode: number = ${e.code};
  static readonly errorName: string = ${JSON.stringify(e.name)};
  override readonly name: string = ${JSON.stringify(className)};
}
`;
});
writeFileSync(
  join(errorsOutDir, 'classes.generated.ts'),
  `${HEADER}// Source: pgBackRest error.yaml (${errorList.length} codes, identical in ${VERSIONS.map(([v]) => v).join(', ')}).
import { PgBackRestExitError } from './pgbackrest-error.js';

${classes.join('\n')}`,
);
// The table from exit status to class stays internal (errorFromExit uses it); only the classes are public.
writeFileSync(
  join(errorsOutDir, 'classes-by-code.generated.ts'),
  `${HEADER}import type { PgBackRestExitError } from './pgbackrest-error.js';
import {
${errorList.map((e) => `  ${errorClassName(e.name)},`).join('\n')}
} from './classes.generated.js';

/** Error class by pgBackRest exit status. */
export const ERROR_CLASSES_BY_CODE: ReadonlyMap<number, typeof PgBackRestExitError & { readonly errorCode: number; readonly errorName: string }> = new Map<number, typeof PgBackRestExitError & { readonly errorCode: number; readonly errorName: string }>([
${errorList.map((e) => `  [${e.code}, ${errorClassName(e.name)}],`).join('\n')}
]);
`,
);
console.log(`errors: ${errorList.length}`);
