import type { Catalogue, OptionDefinition } from '../../catalogue/index.js';
import type { ConfigLine } from '../config-document.js';
import { readKey } from './option-key.js';
import {
  formatMilliseconds,
  parseSize,
  parseStrictInteger,
  parseTime,
  parseTimeBound,
  timeUnitsAllowed,
} from './value-grammar.js';

export type OptionLine = Extract<ConfigLine, { kind: 'option' }>;

/** What one simulated pgBackRest run says about one line of the file. */
export interface RunEvent {
  /** `error`: pgBackRest stops with an option error; `warning`: it warns (and usually ignores the line). */
  readonly level: 'error' | 'warning';
  readonly kind: RunEventKind;
  readonly line: OptionLine;
  /** Where the problem is on the line: the key or the value. */
  readonly at: 'key' | 'value';
  readonly option?: string;
  readonly message: string;
  readonly fix: string;
}

export type RunEventKind =
  | 'refused-name'
  | 'unknown-option'
  | 'negated-option'
  | 'reset-option'
  | 'command-line-only'
  | 'duplicate-option'
  | 'option-not-for-command'
  | 'stanza-option-in-global'
  | 'empty-value'
  | 'invalid-value'
  | 'out-of-range'
  | 'not-allowed'
  | 'beta-required'
  | 'missing-option'
  | 'invalid-combination'
  | 'retention-not-set'
  | 'conflicting-options'
  | 'deprecated-option'
  | 'value-misread';

/** A missing option pgBackRest requires (reported against the section that should hold it). */
export interface MissingOption {
  readonly option: string;
  readonly definition: OptionDefinition;
  /** The line that made the option required (the dependency it follows), when one did. */
  readonly because?: OptionLine;
}

/** Sections as pgBackRest merges them: every header of the same name adds to one section; a repeated key is a list. */
export type MergedSections = ReadonlyMap<string, ReadonlyMap<string, readonly OptionLine[]>>;

export function mergeSections(lines: readonly ConfigLine[]): MergedSections {
  const sections = new Map<string, Map<string, OptionLine[]>>();
  for (const line of lines) {
    if (line.kind !== 'option' || line.section === undefined) continue;
    const section = sections.get(line.section) ?? new Map<string, OptionLine[]>();
    sections.set(line.section, section);
    const list = section.get(line.key) ?? [];
    list.push(line);
    section.set(line.key, list);
  }
  return sections;
}

interface Resolved {
  readonly set: boolean;
  /** Value as pgBackRest holds it (booleans as `true`/`false`). */
  readonly value?: string;
  readonly values?: readonly string[];
  readonly source?: 'config' | 'default';
  readonly line?: OptionLine;
  /** Numeric value (ms for times, bytes for sizes). */
  readonly number?: bigint;
}

const NOT_SET: Resolved = { set: false };

/** The outcome of one simulated run: events, and accessors over the resolved configuration for the load rules. */
export interface SimulatedRun {
  readonly events: RunEvent[];
  readonly missing: MissingOption[];
  readonly repoIndexes: readonly number[];
  readonly pgIndexes: readonly number[];
  /** The first option line this run read (where findings about the whole run are anchored). */
  readonly anchor: OptionLine | undefined;
  /** The resolved value of an option for this command (undefined when it does not apply or is not set). */
  value(name: string, index?: number): Resolved | undefined;
  valid(name: string): boolean;
}

export interface SimulateOptions {
  readonly catalogue: Catalogue;
  readonly version: string;
  readonly sections: MergedSections;
  readonly stanza: string | undefined;
  readonly command: string;
}

/**
 * Simulates how pgBackRest `command` run with `--stanza=stanza` reads the file: which sections it reads and in
 * which order, which lines it warns about and ignores, which values it refuses, and which options it requires.
 */
export function simulateCommand(options: SimulateOptions): SimulatedRun {
  const { catalogue, version, sections, stanza, command } = options;
  const events: RunEvent[] = [];
  const missing: MissingOption[] = [];
  const sectionList = [
    ...(stanza === undefined ? [] : [`${stanza}:${command}`, stanza]),
    `global:${command}`,
    'global',
  ];
  const isValid = (definition: OptionDefinition) => definition.commands[command]?.roles.includes('main') === true;
  type Found = { readonly lines: readonly OptionLine[]; readonly negate: boolean };
  const found = new Map<string, Found>();
  let anchor: OptionLine | undefined;
  const keyOf = (name: string, index: number | undefined) => (index === undefined ? name : `${name}#${index}`);

  sectionList.forEach((sectionName, sectionIndex) => {
    const section = sections.get(sectionName);
    if (!section) return;
    const commandSection = sectionIndex % 2 === 0;
    const inSection = new Map<string, string>();
    for (const [key, lines] of section) {
      const line = lines[0]!;
      anchor ??= line;
      const reading = readKey(catalogue, key);
      if (reading.kind === 'refused') {
        events.push({
          level: 'error',
          kind: 'refused-name',
          line,
          at: 'key',
          message: `pgBackRest ${catalogue.version} refuses the name: ${reading.reason}.`,
          fix: 'Use the option name as pgBackRest documents it (indexed repo/pg options need their index, e.g. repo1-path).',
        });
        continue;
      }
      if (reading.kind === 'unknown') {
        events.push({
          level: 'warning',
          kind: 'unknown-option',
          line,
          at: 'key',
          message: `pgBackRest ${catalogue.version} has no option '${key}'; it warns and ignores the line.`,
          fix: '',
        });
        continue;
      }
      const { definition, canonicalName } = reading;
      if (reading.negate || reading.reset) {
        events.push({
          level: 'warning',
          kind: reading.negate ? 'negated-option' : 'reset-option',
          line,
          at: 'key',
          option: canonicalName,
          message: `'${key}' is a command-line form; pgBackRest warns and ignores it in a configuration file.`,
          fix: reading.negate
            ? `Write ${canonicalName}=n instead.`
            : `Remove the line; to use the default, leave ${canonicalName} unset.`,
        });
        continue;
      }
      if (definition.section === 'command-line') {
        events.push({
          level: 'warning',
          kind: 'command-line-only',
          line,
          at: 'key',
          option: canonicalName,
          message: `${canonicalName} is a command-line option; pgBackRest warns and ignores it in a configuration file.`,
          fix: `Remove it from the file and pass --${canonicalName} on the command line.`,
        });
        continue;
      }
      const id = keyOf(definition.name, reading.index);
      const sameOption = inSection.get(id);
      if (sameOption !== undefined) {
        events.push({
          level: 'error',
          kind: 'duplicate-option',
          line,
          at: 'key',
          option: canonicalName,
          message: `[${sectionName}] sets ${canonicalName} twice, as '${sameOption}' and '${key}'; pgBackRest refuses duplicate options.`,
          fix: `Keep one of '${sameOption}' and '${key}' (prefer ${canonicalName}).`,
        });
        continue;
      }
      inSection.set(id, key);
      if (!isValid(definition)) {
        if (commandSection) {
          events.push({
            level: 'warning',
            kind: 'option-not-for-command',
            line,
            at: 'key',
            option: canonicalName,
            message: `${command} does not take ${canonicalName}; pgBackRest warns and ignores it in [${sectionName}].`,
            fix: `Move it to [${stanza ?? 'global'}] or to the section of a command that uses it.`,
          });
        }
        continue;
      }
      if (definition.section === 'stanza' && (sectionName === 'global' || sectionName.startsWith('global:'))) {
        events.push({
          level: 'warning',
          kind: 'stanza-option-in-global',
          line,
          at: 'key',
          option: canonicalName,
          message: `${canonicalName} is a stanza option; pgBackRest warns and ignores it in [${sectionName}].`,
          fix: 'Move it to the [<stanza>] section it belongs to.',
        });
        continue;
      }
      if (found.has(id)) continue;
      const multi = definition.type === 'list' || definition.type === 'hash';
      if (lines.length > 1 && !multi) {
        events.push({
          level: 'error',
          kind: 'duplicate-option',
          line: lines[1]!,
          at: 'key',
          option: canonicalName,
          message: `${canonicalName} is set ${lines.length} times in [${sectionName}] (first on line ${line.line}); pgBackRest refuses that.`,
          fix: 'Keep one of the lines.',
        });
        found.set(id, { lines, negate: false });
        continue;
      }
      if (lines.length === 1 && line.value === '') {
        events.push({
          level: 'error',
          kind: 'empty-value',
          line,
          at: 'value',
          option: canonicalName,
          message: `${canonicalName} has an empty value; pgBackRest refuses it ('must have a value').`,
          fix: `Give ${canonicalName} a value or remove the line.`,
        });
        found.set(id, { lines, negate: false });
        continue;
      }
      if (definition.type === 'boolean' && line.value !== 'y' && line.value !== 'n') {
        const intended = /^(y|yes|true|on|1)\b/i.test(line.value)
          ? 'y'
          : /^(n|no|false|off|0)\b/i.test(line.value)
            ? 'n'
            : undefined;
        events.push({
          level: 'error',
          kind: 'invalid-value',
          line,
          at: 'value',
          option: canonicalName,
          message: `${canonicalName} is a boolean; pgBackRest takes only 'y' or 'n', not '${line.value}'.`,
          fix: intended === undefined ? `Write ${key}=y or ${key}=n.` : `${key}=${intended}`,
        });
        found.set(id, { lines, negate: false });
        continue;
      }
      found.set(id, { lines, negate: definition.type === 'boolean' && line.value === 'n' });
    }
  });

  const indexesOf = (group: 'repo' | 'pg') => {
    const indexes = new Set<number>();
    for (const id of found.keys()) {
      const [name, index] = id.split('#');
      if (index !== undefined && catalogue.options.get(name!)?.group === group) indexes.add(Number(index));
    }
    return indexes.size === 0 ? [1] : [...indexes].sort((a, b) => a - b);
  };
  const repoIndexes = indexesOf('repo');
  const pgIndexes = indexesOf('pg');
  const resolved = new Map<string, Resolved>();
  const betaSet = found.get('beta') !== undefined && !found.get('beta')!.negate;

  const report = (
    kind: RunEventKind,
    line: OptionLine,
    option: string,
    message: string,
    fix: string,
    at: 'key' | 'value' = 'value',
  ) => events.push({ level: 'error', kind, line, at, option, message, fix });

  function checkFound(definition: OptionDefinition, name: string, entry: Found, dependValue?: string): Resolved {
    const line = entry.lines[0]!;
    const value = line.value;
    const rule = definition.commands[command]!;
    if (definition.beta && definition.name !== 'beta' && !betaSet) {
      report(
        'beta-required',
        line,
        name,
        `${name} is a beta feature in pgBackRest ${catalogue.version}; pgBackRest refuses it without the beta option.`,
        `Add beta=y to [global] (accepting a beta feature), or remove ${name}.`,
        'key',
      );
    }
    if (definition.type === 'boolean')
      return { set: true, value: entry.negate ? 'false' : 'true', source: 'config', line };
    if (definition.type === 'hash' || definition.type === 'list') {
      const values = entry.lines.map((l) => l.value);
      if (definition.type === 'hash') {
        for (const l of entry.lines) {
          if (!l.value.includes('=')) {
            report(
              'invalid-value',
              l,
              name,
              `${name} takes key=value pairs; pgBackRest refuses '${l.value}'.`,
              `Write ${l.key}=<key>=<value>, one line per key.`,
            );
          }
        }
      }
      return { set: true, values, source: 'config', line };
    }
    let number: bigint | undefined;
    if (definition.type === 'integer' || definition.type === 'size' || definition.type === 'time') {
      number =
        definition.type === 'integer'
          ? parseStrictInteger(value)
          : definition.type === 'size'
            ? parseSize(value)
            : parseTime(value, version);
      if (number === undefined) {
        const expected =
          definition.type === 'integer'
            ? 'a whole number'
            : definition.type === 'size'
              ? 'a size such as 1048576, 512KiB or 4MiB'
              : timeUnitsAllowed(version)
                ? 'a whole number of seconds or one with a unit (500ms, 30s, 5m, 1h, 1d, 1w)'
                : 'a number of seconds (units need pgBackRest 2.53+)';
        report(
          'invalid-value',
          line,
          name,
          `${name} must be ${expected}; pgBackRest ${catalogue.version} refuses '${value}'.`,
          `Write ${name} as ${expected}.`,
        );
        return { set: true, value, source: 'config', line };
      }
      if (definition.type === 'time' && !timeUnitsAllowed(version) && !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) {
        events.push({
          level: 'warning',
          kind: 'value-misread',
          line,
          at: 'value',
          option: name,
          message: `pgBackRest ${catalogue.version} reads ${name}=${value} as ${formatMilliseconds(number)}: it takes the leading number as seconds and ignores the rest (units need 2.53+).`,
          fix: `Write ${name} as plain seconds, e.g. ${name}=${formatMilliseconds(number).replace(/s$/, '')}.`,
        });
      }
      const range =
        definition.allowRangeFor && dependValue !== undefined
          ? definition.allowRangeFor[dependValue]
          : definition.allowRange;
      if (range) {
        const parse = (bound: string) =>
          definition.type === 'integer'
            ? parseStrictInteger(bound)
            : definition.type === 'size'
              ? parseSize(bound)
              : parseTimeBound(bound);
        const [low, high] = [parse(range[0]), parse(range[1])];
        if ((low !== undefined && number < low) || (high !== undefined && number > high)) {
          const shown = definition.type === 'time' ? ` (${formatMilliseconds(number)})` : '';
          report(
            'out-of-range',
            line,
            name,
            `${name}=${value}${shown} is outside ${range[0]}..${range[1]}${definition.allowRangeFor ? ` for ${definition.depend?.option}=${dependValue}` : ''}; pgBackRest refuses it.`,
            `Use a value from ${range[0]} to ${range[1]}.`,
          );
        }
      }
    } else if (definition.type === 'path') {
      if (!value.startsWith('/')) {
        report(
          'invalid-value',
          line,
          name,
          `${name} must be an absolute path; pgBackRest refuses '${value}'.`,
          `Start ${name} with '/'.`,
        );
      } else if (value.includes('//')) {
        report(
          'invalid-value',
          line,
          name,
          `${name} must not contain '//'; pgBackRest refuses '${value}'.`,
          `Write ${name}=${value.replace(/\/{2,}/g, '/')}.`,
        );
      }
    }
    const allowList = rule.allowList ?? definition.allowList;
    if (allowList) {
      const allowed =
        definition.type === 'string-id' || definition.type === 'string' || definition.type === 'path'
          ? allowList.includes(value)
          : allowList.some(
              (item) =>
                (definition.type === 'size'
                  ? parseSize(item)
                  : definition.type === 'time'
                    ? parseTimeBound(item)
                    : parseStrictInteger(item)) === number,
            );
      if (!allowed) {
        report(
          'not-allowed',
          line,
          name,
          `${name}=${value} is not one of ${allowList.join(', ')}; pgBackRest refuses it.`,
          `Use one of: ${allowList.join(', ')}.`,
        );
      }
    }
    return { set: true, value, source: 'config', line, ...(number === undefined ? {} : { number }) };
  }

  function resolve(definition: OptionDefinition, index: number | undefined, stack: string[] = []): Resolved {
    const id = keyOf(definition.name, index);
    const known = resolved.get(id);
    if (known) return known;
    if (!isValid(definition) || stack.includes(id)) return NOT_SET;
    const rule = definition.commands[command]!;
    const name = definition.group
      ? `${definition.group}${index}-${definition.name.slice(definition.group.length + 1)}`
      : definition.name;
    const depend = rule.depend ?? definition.depend;
    let dependValue: string | undefined;
    let because: OptionLine | undefined;
    if (depend) {
      const target = catalogue.options.get(depend.option);
      const dependency = target ? resolve(target, target.group ? index : undefined, [...stack, id]) : NOT_SET;
      dependValue = dependency.value;
      because = dependency.source === 'config' ? dependency.line : undefined;
      const met =
        dependency.set &&
        (depend.list === undefined || (dependValue !== undefined && depend.list.includes(dependValue)));
      if (!met) {
        const result: Resolved =
          depend.default === undefined ? NOT_SET : { set: true, value: depend.default, source: 'default' };
        resolved.set(id, result);
        return result;
      }
    }
    const entry = found.get(id);
    let result: Resolved;
    if (entry) {
      result = checkFound(definition, name, entry, dependValue);
    } else {
      const fallback =
        rule.default ??
        (definition.defaultFor && dependValue !== undefined ? definition.defaultFor[dependValue] : undefined) ??
        definition.default;
      if (fallback !== undefined || definition.defaultDynamic) {
        result = { set: true, value: fallback ?? '', source: 'default' };
      } else {
        result = NOT_SET;
        if (rule.required && definition.section !== 'command-line') {
          missing.push({ option: name, definition, ...(because ? { because } : {}) });
        }
      }
    }
    resolved.set(id, result);
    return result;
  }

  for (const definition of catalogue.options.values()) {
    if (!isValid(definition)) continue;
    const indexes = definition.group === 'repo' ? repoIndexes : definition.group === 'pg' ? pgIndexes : [undefined];
    for (const index of indexes) resolve(definition, index);
  }

  return {
    events,
    missing,
    repoIndexes,
    pgIndexes,
    anchor,
    value(name, index) {
      const definition = catalogue.options.get(name);
      if (!definition || !isValid(definition)) return undefined;
      const result = resolve(definition, definition.group ? (index ?? 1) : undefined);
      return result.set ? result : undefined;
    },
    valid(name) {
      const definition = catalogue.options.get(name);
      return definition !== undefined && isValid(definition);
    },
  };
}
