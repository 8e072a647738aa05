import { CATALOGUE_VERSIONS, type Catalogue, catalogueFor, compareVersions } from '../catalogue/catalogue.js';
import type { OptionCommandRule, OptionDefinition } from '../catalogue/model.js';
import { STABLE_OPTIONS_BY_COMMAND } from '../catalogue/stable.generated.js';
import { parseSize } from '../config/lint/value-grammar.js';
import { PgBackRestConfigurationError } from '../errors/pgbackrest-error.js';

/** A pgBackRest invocation ready to spawn: no shell, secrets only in `env`. */
export interface PgBackRestCommand {
  /** The pgBackRest command (`backup`, `restore`, …). */
  readonly command: string;
  readonly file: string;
  readonly args: readonly string[];
  /** `PGBACKREST_*` variables to add to the environment (secure options live here, never in `args`). */
  readonly env: Readonly<Record<string, string>>;
  /** Names in `env` whose values are secret (redacted by {@link render}). */
  readonly secretEnv: readonly string[];
  /** The pgBackRest version the command was checked against. */
  readonly version: string;
}

/** Where and for which pgBackRest a command is built. */
export interface BuildContext {
  /** pgBackRest version the command must be valid for (the client detects it). Default: the newest catalogue. */
  readonly version?: string;
  /** Binary to run. Default `pgbackrest`. */
  readonly bin?: string;
}

/** Any value an option can take before rendering. */
export type OptionValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>> | undefined;

/** Plain option map as builders accept it (the typed per-command interfaces narrow it). */
export type OptionMap = { readonly [name: string]: OptionValue };

const OLDEST = CATALOGUE_VERSIONS[0] as string;
const NEWEST = CATALOGUE_VERSIONS[CATALOGUE_VERSIONS.length - 1] as string;
const UNSAFE = /[\0\r\n]/;

/**
 * Builds any pgBackRest command from an option map, checking every option against the version's catalogue:
 * unknown or inapplicable options, values outside allow-lists or ranges and values that could smuggle arguments are
 * {@link PgBackRestConfigurationError}s before anything runs. Booleans become `--x` / `--no-x`, lists and hashes repeat
 * the option, times are seconds, every value is one `--name=value` element, secure options go to `PGBACKREST_*` env.
 *
 * @example
 * buildCommand('backup', { stanza: 'main', type: 'full', 'repo1-cipher-pass': 's3cret' }, { version: '2.45' });
 * // { file: 'pgbackrest', args: ['--stanza=main', '--type=full', 'backup'], env: { PGBACKREST_REPO1_CIPHER_PASS: 's3cret' }, … }
 */
export function buildCommand(
  command: string,
  options: OptionMap,
  context: BuildContext = {},
  parameters: readonly string[] = [],
): PgBackRestCommand {
  const version = context.version ?? NEWEST;
  const catalogue = catalogueFor(version);
  const definition = catalogue.command(command);
  if (!definition) {
    throw new PgBackRestConfigurationError(`pgBackRest ${version} has no '${command}' command${addedIn(command)}`);
  }
  const args: string[] = [];
  const env: Record<string, string> = {};
  const secretEnv: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const { option, rule, canonicalName } = resolveOption(catalogue, version, command, name);
    const rendered = renderValue(option, rule, canonicalName, value, version);
    if (option.secure) {
      const envName = envNameOf(canonicalName);
      env[envName] = envValue(option, canonicalName, rendered);
      secretEnv.push(envName);
      continue;
    }
    for (const item of rendered) {
      if (item === true) args.push(`--${canonicalName}`);
      else if (item === false) {
        if (negatable(option)) args.push(`--no-${canonicalName}`);
        else if ((rule.default ?? option.default) !== 'false') {
          throw new PgBackRestConfigurationError(`option '${name}' cannot be negated on the command line`, {
            option: name,
          });
        }
      } else args.push(`--${canonicalName}=${item}`);
    }
  }
  if (parameters.length > 0 && !definition.parameterAllowed) {
    throw new PgBackRestConfigurationError(`pgBackRest '${command}' takes no parameters`);
  }
  for (const parameter of parameters) checkParameter(parameter);
  return {
    command,
    file: context.bin ?? 'pgbackrest',
    args: [...args, command, ...parameters],
    env,
    secretEnv,
    version,
  };
}

/** pgBackRest accepts `--no-x` for booleans that a config file can set, and for the few marked negatable. */
function negatable(option: OptionDefinition): boolean {
  return option.negate || option.section !== 'command-line';
}

/** `PGBACKREST_` + upper-case name with `_` for `-`. */
export function envNameOf(optionName: string): string {
  return `PGBACKREST_${optionName.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Options added by a release that has no catalogue of its own (the catalogue for 2.56 to 2.58 is 2.55.1's), with that
 * release: from it on, the option is taken from the newest catalogue.
 */
const ADDED_BETWEEN_CATALOGUES: Readonly<Record<string, string>> = { 'detail-level': '2.56' };

/** From this release on, pgBackRest takes time values with units (`1500ms`); before, decimal seconds. */
const SECONDS_WITH_UNITS_SINCE = '2.53';

/**
 * Every release at which what {@link buildCommand} makes of the same input can change, oldest first: the catalogue
 * versions and the builder's own thresholds above. A command built alike for each of them is built alike for any
 * version.
 */
export const BUILD_BOUNDARY_VERSIONS: readonly string[] = [
  ...new Set([...CATALOGUE_VERSIONS, SECONDS_WITH_UNITS_SINCE, ...Object.values(ADDED_BETWEEN_CATALOGUES)]),
].sort(compareVersions);

/**
 * Whether {@link buildCommand} builds the same command from these options for every pgBackRest version, so the version
 * need not be known: the command and each option are defined alike in every catalogue version (as that command sees
 * them; an option added later is not in the oldest), and no time value has a fraction (rendered by release). Reads
 * only the oldest catalogue. False is no error: the version decides, as usual.
 */
export function buildsAlikeForEveryVersion(command: string, options: OptionMap): boolean {
  const stable = STABLE_OPTIONS_BY_COMMAND[command];
  if (stable === undefined) return false;
  const oldest = catalogueFor(OLDEST);
  return Object.entries(options).every(([name, value]) => {
    if (value === undefined) return true;
    const definition = oldest.option(name)?.definition;
    if (definition === undefined || !stable.includes(definition.name)) return false;
    return definition.type !== 'time' || (typeof value === 'number' && Number.isInteger(value));
  });
}

function resolveOption(
  catalogue: Catalogue,
  version: string,
  command: string,
  name: string,
): { option: OptionDefinition; rule: OptionCommandRule; canonicalName: string } {
  const since = ADDED_BETWEEN_CATALOGUES[name];
  const resolved =
    catalogue.option(name) ??
    (since !== undefined && compareVersions(version, since) >= 0 ? catalogueFor(NEWEST).option(name) : undefined);
  if (!resolved) {
    const newest = catalogueFor(NEWEST).option(name);
    const why = newest
      ? ` (it exists from pgBackRest ${since ?? newest.definition.versions[0]}); upgrade pgBackRest or drop the option`
      : '; check the spelling (indexed options need their index: repo1-path, pg1-path)';
    throw new PgBackRestConfigurationError(`pgBackRest ${version} has no option '${name}'${why}`, { option: name });
  }
  const rule = resolved.definition.commands[command];
  if (!rule?.roles.includes('main')) {
    throw new PgBackRestConfigurationError(`option '${name}' does not apply to the '${command}' command`, {
      option: name,
    });
  }
  return { option: resolved.definition, rule, canonicalName: resolved.canonicalName };
}

type Rendered = string | boolean;

function renderValue(
  option: OptionDefinition,
  rule: OptionCommandRule,
  name: string,
  value: Exclude<OptionValue, undefined>,
  version: string,
): Rendered[] {
  const fail = (what: string): never => {
    throw new PgBackRestConfigurationError(`option '${name}' ${what}`, { option: name });
  };
  switch (option.type) {
    case 'boolean':
      if (typeof value !== 'boolean') fail(`is a boolean; got ${describe(value)}`);
      return [value as boolean];
    case 'integer': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(`is an integer; got ${describe(value)}`);
      checkRange(option, name, value as number);
      return [String(value)];
    }
    case 'time': {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        fail(`is a time in seconds (a non-negative number); got ${describe(value)}`);
      }
      return [renderSeconds(value as number, version)];
    }
    case 'size': {
      if (typeof value === 'number') {
        if (!Number.isSafeInteger(value) || value < 0) fail(`is a size in bytes; got ${value}`);
        return [checkAllowed(option, rule, name, String(value))];
      }
      if (typeof value !== 'string' || parseSize(value) === undefined)
        fail(`is a size (bytes or e.g. 4MiB); got ${describe(value)}`);
      return [checkAllowed(option, rule, name, value as string)];
    }
    case 'list': {
      if (!Array.isArray(value)) fail(`is a list of strings; got ${describe(value)}`);
      return (value as readonly unknown[]).map((item) => {
        if (typeof item !== 'string') fail(`holds strings only; got ${describe(item)}`);
        return checkAllowed(option, rule, name, safeText(name, item as string));
      });
    }
    case 'hash': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(`is a key=value map; got ${describe(value)}`);
      }
      return Object.entries(value as Record<string, unknown>).map(([key, item]) => {
        if (typeof item !== 'string') fail(`holds string values only; '${key}' is ${describe(item)}`);
        if (key === '' || key.includes('=')) fail(`keys must be non-empty and free of '='; got '${key}'`);
        return `${safeText(name, key)}=${safeText(name, item as string)}`;
      });
    }
    default: {
      if (typeof value !== 'string') fail(`is a string; got ${describe(value)}`);
      return [checkAllowed(option, rule, name, safeText(name, value as string))];
    }
  }
}

function renderSeconds(seconds: number, version: string): string {
  if (Number.isInteger(seconds)) return String(seconds);
  if (compareVersions(version, SECONDS_WITH_UNITS_SINCE) >= 0) return `${Math.round(seconds * 1000)}ms`;
  return String(Math.round(seconds * 1000) / 1000);
}

function checkAllowed(option: OptionDefinition, rule: OptionCommandRule, name: string, value: string): string {
  const allowed = rule.allowList ?? option.allowList;
  if (allowed && !allowed.includes(value)) {
    throw new PgBackRestConfigurationError(
      `option '${name}' allows ${allowed.map((v) => `'${v}'`).join(', ')}; got '${value}'`,
      { option: name },
    );
  }
  return value;
}

function checkRange(option: OptionDefinition, name: string, value: number): void {
  const range = option.allowRange;
  if (!range) return;
  const [min, max] = range.map(Number) as [number, number];
  if (Number.isFinite(min) && Number.isFinite(max) && (value < min || value > max)) {
    throw new PgBackRestConfigurationError(`option '${name}' must be within ${min}..${max}; got ${value}`, {
      option: name,
    });
  }
}

function safeText(name: string, value: string): string {
  if (value === '') {
    throw new PgBackRestConfigurationError(`option '${name}' is empty; leave it undefined to keep pgBackRest's value`, {
      option: name,
    });
  }
  if (UNSAFE.test(value)) {
    throw new PgBackRestConfigurationError(`option '${name}' contains a line break or NUL character`, {
      option: name,
    });
  }
  return value;
}

function envValue(option: OptionDefinition, name: string, rendered: readonly Rendered[]): string {
  if (option.type === 'boolean') return rendered[0] ? 'y' : 'n';
  const items = rendered.map(String);
  if (items.length > 1 && items.some((item) => item.includes(':'))) {
    throw new PgBackRestConfigurationError(
      `option '${name}' values cannot contain ':' when passed through the environment`,
      {
        option: name,
      },
    );
  }
  return items.join(':');
}

function checkParameter(parameter: string): void {
  if (parameter === '' || parameter.startsWith('-') || UNSAFE.test(parameter)) {
    throw new PgBackRestConfigurationError(
      `parameter '${parameter.replace(UNSAFE, '?')}' is empty, starts with '-' or holds a line break/NUL: pgBackRest could read it as an option`,
    );
  }
}

function addedIn(command: string): string {
  const newest = catalogueFor(NEWEST).command(command);
  if (!newest) return '';
  const first = CATALOGUE_VERSIONS.find((version) => catalogueFor(version).command(command));
  return first ? ` (it exists from pgBackRest ${first})` : '';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'string' ? `'${value.replace(UNSAFE, '?')}'` : `${typeof value} ${String(value)}`;
}

/** Views a typed per-command options object as the plain map {@link buildCommand} checks at run time. */
export function toOptionMap(options: object): OptionMap {
  return options as OptionMap;
}
