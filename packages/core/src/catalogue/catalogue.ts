import { catalogue2_45 } from './data-2-45.generated.js';
import { catalogue2_55_1 } from './data-2-55-1.generated.js';
import { catalogue2_59_1 } from './data-2-59-1.generated.js';
import { catalogue2_60_0 } from './data-2-60-0.generated.js';
import type {
  CatalogueData,
  CatalogueVersion,
  CommandDefinition,
  OptionCommandRule,
  OptionDefinition,
  OptionGroup,
} from './model.js';

/** Highest index pgBackRest accepts for indexed options (`repo256-…`, `pg256-…`). */
export const MAX_OPTION_INDEX = 256;

/** Catalogue versions, oldest first. */
export const CATALOGUE_VERSIONS: readonly CatalogueVersion[] = ['2.45', '2.55.1', '2.59.1', '2.60.0'];

const DATA: Readonly<Record<CatalogueVersion, () => CatalogueData>> = {
  '2.45': catalogue2_45,
  '2.55.1': catalogue2_55_1,
  '2.59.1': catalogue2_59_1,
  '2.60.0': catalogue2_60_0,
};

/** An option name resolved against a catalogue. */
export interface ResolvedOption {
  readonly definition: OptionDefinition;
  /** Index of an indexed option (`repo2-s3-bucket` → 2). */
  readonly index?: number;
  /** The deprecated name that was given, when one was. */
  readonly deprecatedName?: string;
  /** The canonical name to use (`repo2-s3-bucket`, `pg1-path`, `stop-auto`). */
  readonly canonicalName: string;
}

/** An option as it applies to one command. */
export interface CommandOption {
  readonly definition: OptionDefinition;
  readonly rule: OptionCommandRule;
}

/** Parses `2.45`, `2.55.1`, `2.60.0dev` into numbers for comparison. */
export function parseVersionNumbers(version: string): readonly [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Compares two version strings numerically (`2.9` < `2.45`). */
export function compareVersions(a: string, b: string): number {
  const left = parseVersionNumbers(a);
  const right = parseVersionNumbers(b);
  if (!left || !right) throw new TypeError(`not a pgBackRest version: ${left ? b : a}`);
  for (let i = 0; i < 3; i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * The option and command definitions of one pgBackRest version.
 *
 * @example
 * const catalogue = catalogueFor('2.45');
 * catalogue.option('repo2-s3-bucket'); // { definition: repo-s3-bucket, index: 2, canonicalName: 'repo2-s3-bucket' }
 * catalogue.optionsFor('backup').has('start-fast'); // true
 */
export class Catalogue {
  readonly version: CatalogueVersion;
  readonly commands: ReadonlyMap<string, CommandDefinition>;
  readonly options: ReadonlyMap<string, OptionDefinition>;
  readonly #deprecated = new Map<string, { definition: OptionDefinition; index?: number }>();
  readonly #deprecatedIndexed: { pattern: RegExp; definition: OptionDefinition }[] = [];

  constructor(data: CatalogueData) {
    this.version = data.version;
    this.commands = new Map(Object.entries(data.commands));
    this.options = new Map(Object.entries(data.options));
    for (const definition of this.options.values()) {
      for (const name of definition.deprecatedNames) {
        if (name.includes('?')) {
          const [before, after] = name.split('?') as [string, string];
          this.#deprecatedIndexed.push({
            pattern: new RegExp(`^${escapeRegExp(before)}(\\d+)${escapeRegExp(after)}$`),
            definition,
          });
        } else {
          this.#deprecated.set(name, definition.group ? { definition, index: 1 } : { definition });
        }
      }
    }
  }

  /**
   * Resolves an option name as a user writes it: plain (`start-fast`), indexed (`repo2-s3-bucket`, `pg1-path`) or
   * deprecated (`db1-host`, `retention-full`). Returns undefined when this version does not know the name.
   *
   * @example
   * catalogueFor('2.45').option('db2-host'); // { definition: pg-host, index: 2, deprecatedName: 'db2-host', … }
   */
  option(name: string): ResolvedOption | undefined {
    const plain = this.options.get(name);
    if (plain && !plain.group) return { definition: plain, canonicalName: name };
    const indexed = /^(repo|pg)(\d+)-(.+)$/.exec(name);
    if (indexed) {
      const [, group, digits, rest] = indexed as unknown as [string, OptionGroup, string, string];
      const definition = this.options.get(`${group}-${rest}`);
      const index = Number(digits);
      if (definition?.group === group && validIndex(digits, index)) {
        return { definition, index, canonicalName: name };
      }
    }
    const deprecated = this.#deprecated.get(name);
    if (deprecated) return withCanonical(deprecated.definition, deprecated.index, name);
    for (const { pattern, definition } of this.#deprecatedIndexed) {
      const match = pattern.exec(name);
      if (match?.[1] !== undefined && validIndex(match[1], Number(match[1]))) {
        return withCanonical(definition, definition.group ? Number(match[1]) : undefined, name);
      }
    }
    return undefined;
  }

  /**
   * Options a command accepts when a user runs it (role `main`), keyed by definition name (`repo-path`, not `repo1-path`).
   * Internal options are left out unless asked for.
   *
   * @example
   * catalogueFor('2.45').optionsFor('backup').get('type')?.rule.allowList; // ['full', 'diff', 'incr']
   */
  optionsFor(
    command: string,
    { includeInternal = false }: { includeInternal?: boolean } = {},
  ): Map<string, CommandOption> {
    const result = new Map<string, CommandOption>();
    for (const definition of this.options.values()) {
      const rule = definition.commands[command];
      if (!rule?.roles.includes('main')) continue;
      if (rule.internal && !includeInternal) continue;
      result.set(definition.name, { definition, rule });
    }
    return result;
  }

  /** The command definition, or undefined when this version lacks it. */
  command(name: string): CommandDefinition | undefined {
    return this.commands.get(name);
  }
}

function withCanonical(
  definition: OptionDefinition,
  index: number | undefined,
  deprecatedName: string,
): ResolvedOption {
  const canonicalName =
    definition.group && index !== undefined
      ? `${definition.group}${index}-${definition.name.slice(definition.group.length + 1)}`
      : definition.name;
  return index === undefined
    ? { definition, deprecatedName, canonicalName }
    : { definition, index, deprecatedName, canonicalName };
}

function validIndex(digits: string, index: number): boolean {
  return !digits.startsWith('0') && index >= 1 && index <= MAX_OPTION_INDEX;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const cache = new Map<CatalogueVersion, Catalogue>();

/**
 * The catalogue for a pgBackRest version: the nearest catalogue version at or below it (`2.57.0` → 2.55.1,
 * `2.60.1` → 2.60.0). Versions older than 2.45 get 2.45, the oldest the SDK knows.
 *
 * @example
 * catalogueFor('2.57.0').version; // '2.55.1'
 * catalogueFor('2.60.0dev').version; // '2.60.0'
 */
export function catalogueFor(version: string): Catalogue {
  const key = catalogueVersionFor(version);
  let catalogue = cache.get(key);
  if (!catalogue) {
    catalogue = new Catalogue(DATA[key]());
    cache.set(key, catalogue);
  }
  return catalogue;
}

/**
 * The catalogue version that describes a pgBackRest version.
 *
 * @example
 * catalogueVersionFor('2.59.0'); // '2.55.1'
 */
export function catalogueVersionFor(version: string): CatalogueVersion {
  let chosen: CatalogueVersion = CATALOGUE_VERSIONS[0] as CatalogueVersion;
  for (const candidate of CATALOGUE_VERSIONS) {
    if (compareVersions(candidate, version) <= 0) chosen = candidate;
  }
  return chosen;
}
