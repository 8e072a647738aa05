import type { Catalogue, OptionDefinition } from '../../catalogue/index.js';
import { MAX_OPTION_INDEX } from '../../catalogue/index.js';

/** How pgBackRest reads a key of pgbackrest.conf. */
export type KeyReading =
  /** A name pgBackRest refuses outright (it stops with an option error). */
  | { readonly kind: 'refused'; readonly reason: string }
  /** A name pgBackRest does not know (it warns and ignores the line). */
  | { readonly kind: 'unknown'; readonly negate: boolean; readonly reset: boolean }
  | {
      readonly kind: 'option';
      readonly definition: OptionDefinition;
      /** 1-based index for repo/pg options. */
      readonly index?: number;
      readonly negate: boolean;
      readonly reset: boolean;
      readonly deprecated: boolean;
      /** `repo2-s3-bucket`, `pg1-path`, `start-fast`. */
      readonly canonicalName: string;
    };

interface Deprecation {
  readonly definition: OptionDefinition;
  indexed: boolean;
  unindexed: boolean;
}

const deprecationsByCatalogue = new WeakMap<Catalogue, Map<string, Deprecation>>();

function deprecations(catalogue: Catalogue): Map<string, Deprecation> {
  let map = deprecationsByCatalogue.get(catalogue);
  if (map) return map;
  map = new Map();
  for (const definition of catalogue.options.values()) {
    for (const name of definition.deprecatedNames) {
      const base = name.replace('?', '');
      const entry = map.get(base) ?? { definition, indexed: false, unindexed: false };
      if (name.includes('?')) entry.indexed = true;
      else entry.unindexed = true;
      map.set(base, entry);
    }
  }
  deprecationsByCatalogue.set(catalogue, map);
  return map;
}

function canonical(definition: OptionDefinition, index: number | undefined): string {
  return definition.group
    ? `${definition.group}${index ?? 1}-${definition.name.slice(definition.group.length + 1)}`
    : definition.name;
}

/**
 * Reads a configuration key the way pgBackRest does: `no-`/`reset-` prefixes, the index before the first dash,
 * exact names, then deprecated names, and the same refusals (an index on an unindexed option, a missing index, a
 * negated option that cannot be negated, …).
 */
export function readKey(catalogue: Catalogue, key: string): KeyReading {
  let name = key;
  let negate = false;
  let reset = false;
  if (name.startsWith('no-')) {
    negate = true;
    name = name.slice(3);
  } else if (name.startsWith('reset-')) {
    reset = true;
    name = name.slice(6);
  }
  let index: number | undefined;
  const dash = name.indexOf('-');
  if (dash === 0) return { kind: 'refused', reason: `option '${key}' cannot begin with a dash` };
  if (dash > 0) {
    let start = dash;
    while (start > 0 && /\d/.test(name[start - 1]!)) start--;
    if (start === 0) return { kind: 'refused', reason: `option '${key}' cannot begin with a number` };
    if (start !== dash) {
      index = Number(name.slice(start, dash));
      if (index > MAX_OPTION_INDEX) {
        return { kind: 'refused', reason: `option '${key}' key exceeds maximum of ${MAX_OPTION_INDEX}` };
      }
      if (index === 0) return { kind: 'unknown', negate, reset };
      name = name.slice(0, start) + name.slice(dash);
    }
  }
  const indexed = index !== undefined;
  let definition = catalogue.options.get(name);
  let deprecated = false;
  if (definition === undefined) {
    const deprecation = deprecations(catalogue).get(name);
    if (deprecation === undefined) return { kind: 'unknown', negate, reset };
    if (indexed && !deprecation.indexed) {
      return { kind: 'refused', reason: `deprecated option '${key}' cannot have an index` };
    }
    if (!indexed && !deprecation.unindexed) {
      return { kind: 'refused', reason: `deprecated option '${key}' requires an index` };
    }
    definition = deprecation.definition;
    deprecated = true;
  }
  if (negate && !definition.negate) return { kind: 'refused', reason: `option '${key}' cannot be negated` };
  if (reset && !definition.reset) return { kind: 'refused', reason: `option '${key}' cannot be reset` };
  if (!indexed && definition.deprecatedNames.includes(definition.name)) deprecated = true;
  if (!deprecated) {
    if (indexed && !definition.group) return { kind: 'refused', reason: `option '${key}' cannot have an index` };
    if (!indexed && definition.group) {
      return {
        kind: 'refused',
        reason: `option '${key}' requires an index (e.g. ${canonical(definition, 1)})`,
      };
    }
  }
  const resolvedIndex = definition.group ? (index ?? 1) : undefined;
  return {
    kind: 'option',
    definition,
    ...(resolvedIndex === undefined ? {} : { index: resolvedIndex }),
    negate,
    reset,
    deprecated,
    canonicalName: canonical(definition, resolvedIndex),
  };
}
