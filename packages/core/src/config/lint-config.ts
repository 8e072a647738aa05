import {
  type Catalogue,
  catalogueFor,
  compareVersions,
  type OptionDefinition,
  type ResolvedOption,
} from '../catalogue/index.js';
import { type ConfigDocument, type ConfigLine, type ConfigSection, parseConfigFile } from './config-document.js';
import { closestName } from './did-you-mean.js';

/** How bad a finding is: `error` breaks or silently ignores configuration; `warning` works but should change. */
export type LintSeverity = 'error' | 'warning' | 'info';

/** Finding codes, stable for programs. */
export type LintCode =
  | 'invalid-line'
  | 'option-outside-section'
  | 'unknown-command'
  | 'unknown-option'
  | 'deprecated-option'
  | 'command-line-only'
  | 'stanza-option-in-global'
  | 'option-not-for-command'
  | 'duplicate-option'
  | 'invalid-value'
  | 'out-of-range'
  | 'not-allowed'
  | 'missing-companion'
  | 'cipher-without-passphrase'
  | 'secret-readable'
  | 'secret-in-file';

/** One problem in pgbackrest.conf, with where it is and how to fix it. */
export interface LintFinding {
  /** 1-based line number (the section header or option line concerned). */
  readonly line: number;
  readonly severity: LintSeverity;
  readonly code: LintCode;
  readonly message: string;
  /** What to change. */
  readonly fix: string;
  readonly section?: string;
  readonly option?: string;
}

/** Options for {@link lintConfig}. */
export interface LintConfigOptions {
  /** pgBackRest version the file is for, e.g. `2.45` (the nearest catalogue at or below it is used). */
  readonly version: string;
  /** The file's mode bits (`(await stat(path)).mode`), to flag secrets others can read. */
  readonly fileMode?: number;
  /**
   * The environment pgBackRest will run with (only presence is checked), so secrets passed as `PGBACKREST_*`
   * variables count as present.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The result of {@link lintConfig}. */
export interface LintResult {
  /** True when there is no error (warnings and infos may remain). */
  readonly ok: boolean;
  /** True when there is no finding at all. */
  readonly clean: boolean;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  readonly findings: readonly LintFinding[];
  /** The catalogue version used. */
  readonly catalogueVersion: string;
}

type OptionLine = Extract<ConfigLine, { kind: 'option' }>;

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib|p|pb|pib)?$/i;
const SIZE_FACTOR: Record<string, number> = { b: 0, k: 1, m: 2, g: 3, t: 4, p: 5 };
const TIME_WITH_UNIT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const TIME_FACTOR: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

function sizeBytes(value: string): number | undefined {
  const match = SIZE.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'b').toLowerCase()[0]!;
  return Number(match[1]) * 1024 ** (SIZE_FACTOR[unit] ?? 0);
}

function timeSeconds(value: string, unitsAllowed: boolean): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  const match = unitsAllowed ? TIME_WITH_UNIT.exec(value) : null;
  return match ? Number(match[1]) * TIME_FACTOR[match[2]!]! : undefined;
}

function envName(canonical: string): string {
  return `PGBACKREST_${canonical.toUpperCase().replaceAll('-', '_')}`;
}

function indexedName(definition: OptionDefinition, index: number): string {
  return definition.group
    ? `${definition.group}${index}-${definition.name.slice(definition.group.length + 1)}`
    : definition.name;
}

function suggestion(catalogue: Catalogue, key: string): string | undefined {
  const indexed = /^(repo|pg)(\d+)-(.+)$/.exec(key);
  if (indexed) {
    const names = [...catalogue.options.values()].filter((d) => d.group === indexed[1]).map((d) => d.name);
    const near = closestName(`${indexed[1]}-${indexed[3]}`, names);
    return near === undefined ? undefined : `${indexed[1]}${indexed[2]}-${near.slice(indexed[1]!.length + 1)}`;
  }
  const near = closestName(
    key,
    [...catalogue.options.values()].map((d) => (d.group ? indexedName(d, 1) : d.name)),
  );
  return near;
}

function checkValue(
  option: OptionLine,
  resolved: ResolvedOption,
  section: ConfigSection | undefined,
  version: string,
  report: (finding: Omit<LintFinding, 'line' | 'section' | 'option'>) => void,
): void {
  const { definition } = resolved;
  const value = option.value;
  const name = resolved.canonicalName;
  const command = section && 'command' in section ? section.command : undefined;
  const rule = command === undefined ? undefined : definition.commands[command];
  switch (definition.type) {
    case 'boolean':
      if (value !== 'y' && value !== 'n') {
        report({
          severity: 'error',
          code: 'invalid-value',
          message: `${name} is a boolean; pgbackrest.conf takes 'y' or 'n', not '${value}'.`,
          fix: `${option.key}=${/^(true|on|yes|1)$/i.test(value) ? 'y' : 'n'}`,
        });
      }
      return;
    case 'integer': {
      if (!/^-?\d+$/.test(value)) {
        report({
          severity: 'error',
          code: 'invalid-value',
          message: `${name} must be an integer, not '${value}'.`,
          fix: `Write a whole number for ${option.key}.`,
        });
        return;
      }
      const range = definition.allowRange;
      if (range && (Number(value) < Number(range[0]) || Number(value) > Number(range[1]))) {
        report({
          severity: 'error',
          code: 'out-of-range',
          message: `${name}=${value} is outside ${range[0]}..${range[1]}.`,
          fix: `Use a value from ${range[0]} to ${range[1]}.`,
        });
      }
      break;
    }
    case 'size': {
      const bytes = sizeBytes(value);
      if (bytes === undefined) {
        report({
          severity: 'error',
          code: 'invalid-value',
          message: `${name} must be a size such as 1MiB or 512KB, not '${value}'.`,
          fix: `Write a size for ${option.key}.`,
        });
        return;
      }
      const range = definition.allowRange;
      if (range) {
        const [low, high] = [sizeBytes(range[0]), sizeBytes(range[1])];
        if ((low !== undefined && bytes < low) || (high !== undefined && bytes > high)) {
          report({
            severity: 'error',
            code: 'out-of-range',
            message: `${name}=${value} is outside ${range[0]}..${range[1]}.`,
            fix: `Use a size from ${range[0]} to ${range[1]}.`,
          });
        }
      }
      break;
    }
    case 'time': {
      const unitsAllowed = compareVersions(version, '2.53') >= 0;
      const seconds = timeSeconds(value, unitsAllowed);
      if (seconds === undefined) {
        report({
          severity: 'error',
          code: 'invalid-value',
          message: `${name} must be a time in seconds${unitsAllowed ? ' or with a unit (30s, 5m)' : ' (units need pgBackRest 2.53+)'}, not '${value}'.`,
          fix: `Write ${option.key} as plain seconds, e.g. ${option.key}=60.`,
        });
        return;
      }
      const range = definition.allowRange;
      if (range && (seconds < Number(range[0]) || seconds > Number(range[1]))) {
        report({
          severity: 'error',
          code: 'out-of-range',
          message: `${name}=${value} is outside ${range[0]}..${range[1]} seconds.`,
          fix: `Use a time from ${range[0]} to ${range[1]} seconds.`,
        });
      }
      break;
    }
    case 'hash':
      if (!value.includes('=')) {
        report({
          severity: 'error',
          code: 'invalid-value',
          message: `${name} takes key=value, not '${value}'.`,
          fix: `Write ${option.key}=<key>=<value>, one line per key.`,
        });
      }
      break;
    case 'path':
      if (!value.startsWith('/')) {
        report({
          severity: 'error',
          code: 'invalid-value',
          message: `${name} must be an absolute path, not '${value}'.`,
          fix: `Start ${option.key} with '/'.`,
        });
      }
      break;
    default:
      break;
  }
  const allowList =
    rule?.allowList ??
    definition.allowList ??
    (() => {
      const lists = Object.values(definition.commands).flatMap((r) => r.allowList ?? []);
      return lists.length > 0 ? [...new Set(lists)] : undefined;
    })();
  if (allowList && definition.type !== 'size' && !allowList.includes(value)) {
    report({
      severity: 'error',
      code: 'not-allowed',
      message: `${name}=${value} is not one of ${allowList.join(', ')}.`,
      fix: `Use one of: ${allowList.join(', ')}.`,
    });
  } else if (allowList && definition.type === 'size' && !allowList.some((a) => sizeBytes(a) === sizeBytes(value))) {
    report({
      severity: 'error',
      code: 'not-allowed',
      message: `${name}=${value} is not one of ${allowList.join(', ')}.`,
      fix: `Use one of: ${allowList.join(', ')}.`,
    });
  }
}

/**
 * Checks pgbackrest.conf against the option catalogue of a pgBackRest version: unknown options (with a did-you-mean),
 * options in a section where pgBackRest ignores them (command-line-only options, stanza options in `[global]`,
 * options a `[*:command]` section's command does not take), wrong types, out-of-range and not-allowed values,
 * duplicates, deprecated names, missing companions (an S3 repository without bucket, endpoint or region; a cipher
 * type without a passphrase in the file or environment) and secrets in a file others can read. Pure: pass the text
 * and, for the permission check, the file mode.
 *
 * @example
 * const result = lintConfig(await readFile('/etc/pgbackrest/pgbackrest.conf', 'utf8'), { version: '2.45', fileMode: 0o640 });
 * if (!result.ok) for (const f of result.findings) console.log(`${f.line}: ${f.severity} ${f.code}: ${f.message} — ${f.fix}`);
 */
export function lintConfig(text: string | ConfigDocument, options: LintConfigOptions): LintResult {
  const doc = typeof text === 'string' ? parseConfigFile(text) : text;
  const catalogue = catalogueFor(options.version);
  const findings: LintFinding[] = [];
  const sections = new Map<string, ConfigSection>();
  const seen = new Map<string, number>();
  type Scoped = { line: OptionLine; resolved: ResolvedOption };
  const scoped = new Map<string, Scoped[]>();

  for (const line of doc.lines) {
    if (line.kind === 'invalid') {
      findings.push({
        line: line.line,
        severity: 'error',
        code: 'invalid-line',
        message: `Line ${line.line}: ${line.reason}.`,
        fix: 'Fix or remove the line (comments start with #).',
      });
      continue;
    }
    if (line.kind === 'section') {
      sections.set(line.section.name, line.section);
      if ('command' in line.section && catalogue.command(line.section.command) === undefined) {
        const near = closestName(line.section.command, catalogue.commands.keys());
        findings.push({
          line: line.line,
          severity: 'error',
          code: 'unknown-command',
          section: line.section.name,
          message: `[${line.section.name}] names a command pgBackRest ${catalogue.version} does not have; its options are ignored.`,
          fix: near
            ? `Did you mean [${line.section.name.replace(/:[^:]*$/, `:${near}`)}]?`
            : 'Use a pgBackRest command name after the colon.',
        });
      }
      continue;
    }
    if (line.kind !== 'option') continue;
    const at = { line: line.line, option: line.key, ...(line.section === undefined ? {} : { section: line.section }) };
    if (line.section === undefined) {
      findings.push({
        ...at,
        severity: 'error',
        code: 'option-outside-section',
        message: `${line.key} appears before any [section]; pgBackRest refuses it.`,
        fix: 'Move it under [global] or a [stanza] section.',
      });
      continue;
    }
    const section = sections.get(line.section);
    const resolved = catalogue.option(line.key);
    if (resolved === undefined) {
      const near = suggestion(catalogue, line.key);
      findings.push({
        ...at,
        severity: 'error',
        code: 'unknown-option',
        message: `pgBackRest ${catalogue.version} has no option '${line.key}'.`,
        fix: near ? `Did you mean '${near}'?` : 'Remove it or check the option name in the pgBackRest documentation.',
      });
      continue;
    }
    const { definition } = resolved;
    const report = (f: Omit<LintFinding, 'line' | 'section' | 'option'>) => findings.push({ ...at, ...f });

    if (resolved.deprecatedName !== undefined && resolved.deprecatedName !== resolved.canonicalName) {
      report({
        severity: 'warning',
        code: 'deprecated-option',
        message: `'${line.key}' is a deprecated name of '${resolved.canonicalName}'.`,
        fix: `Rename it to ${resolved.canonicalName}.`,
      });
    }
    if (definition.section === 'command-line') {
      report({
        severity: 'error',
        code: 'command-line-only',
        message: `${resolved.canonicalName} is a command-line option; pgBackRest ignores it in a configuration file.`,
        fix: `Remove it from the file and pass --${resolved.canonicalName} on the command line.`,
      });
      continue;
    }
    if (
      definition.section === 'stanza' &&
      section &&
      (section.kind === 'global' || section.kind === 'global-command')
    ) {
      report({
        severity: 'error',
        code: 'stanza-option-in-global',
        message: `${resolved.canonicalName} is a stanza option; pgBackRest ignores it in [${section.name}].`,
        fix: `Move it to the [<stanza>] section it belongs to.`,
      });
    }
    if (section && 'command' in section && catalogue.command(section.command) !== undefined) {
      const rule = definition.commands[section.command];
      if (rule === undefined || !rule.roles.includes('main')) {
        report({
          severity: 'warning',
          code: 'option-not-for-command',
          message: `${section.command} does not take ${resolved.canonicalName}; pgBackRest ignores it in [${section.name}].`,
          fix: `Move it to [${section.kind === 'global-command' ? 'global' : section.stanza}] or a section of a command that uses it.`,
        });
      }
    }
    const duplicateKey = `${line.section}\u0000${resolved.canonicalName}`;
    const listLike = definition.type === 'list' || definition.type === 'hash';
    if (seen.has(duplicateKey) && !listLike) {
      report({
        severity: 'error',
        code: 'duplicate-option',
        message: `${resolved.canonicalName} is set more than once in [${line.section}] (first on line ${seen.get(duplicateKey)}); pgBackRest refuses that.`,
        fix: 'Keep one of the lines.',
      });
    } else if (!seen.has(duplicateKey)) {
      seen.set(duplicateKey, line.line);
    }
    checkValue(line, resolved, section, options.version, report);

    if (definition.secure && line.value !== '') {
      const readable = options.fileMode !== undefined && (options.fileMode & 0o077) !== 0;
      report(
        readable
          ? {
              severity: 'error',
              code: 'secret-readable',
              message: `${resolved.canonicalName} is a secret in a file others can read (mode ${(options.fileMode! & 0o777).toString(8).padStart(3, '0')}).`,
              fix: `chmod 600 the file (or 640 with a trusted group), or pass ${envName(resolved.canonicalName)} in the environment instead.`,
            }
          : {
              severity: 'info',
              code: 'secret-in-file',
              message: `${resolved.canonicalName} is kept in the file.`,
              fix: `Keep the file mode 600 (owner pgBackRest's user), or pass ${envName(resolved.canonicalName)} in the environment instead.`,
            },
      );
    }
    if (section && (section.kind === 'global' || section.kind === 'stanza')) {
      const list = scoped.get(section.name) ?? [];
      list.push({ line, resolved });
      scoped.set(section.name, list);
    }
  }

  const global = scoped.get('global') ?? [];
  const stanzas = [...sections.values()].filter((s) => s.kind === 'stanza').map((s) => s.name);
  const scopes =
    stanzas.length === 0
      ? [['global', global] as const]
      : stanzas.map((name) => [name, [...global, ...(scoped.get(name) ?? [])]] as const);
  const reported = new Set<string>();
  for (const [scopeName, entries] of scopes) {
    const value = (canonical: string) => [...entries].reverse().find((e) => e.resolved.canonicalName === canonical);
    const repoIndexes = new Set(
      entries.flatMap((e) =>
        e.resolved.definition.group === 'repo' && e.resolved.index !== undefined ? [e.resolved.index] : [],
      ),
    );
    for (const index of repoIndexes) {
      const type = value(`repo${index}-type`);
      if (type?.line.value === 's3') {
        for (const companion of ['s3-bucket', 's3-endpoint', 's3-region']) {
          const name = `repo${index}-${companion}`;
          const key = `${type.line.line}:${name}`;
          if (value(name) === undefined && !reported.has(key)) {
            reported.add(key);
            findings.push({
              line: type.line.line,
              section: type.line.section!,
              option: type.line.key,
              severity: 'error',
              code: 'missing-companion',
              message: `repo${index} is an S3 repository without ${name}${stanzas.length > 0 ? ` (for stanza ${scopeName})` : ''}.`,
              fix: `Add ${name}=… to [global] or the stanza section.`,
            });
          }
        }
      }
      const cipher = value(`repo${index}-cipher-type`);
      if (cipher !== undefined && cipher.line.value !== 'none') {
        const pass = `repo${index}-cipher-pass`;
        const key = `${cipher.line.line}:${pass}`;
        const inEnv = options.env?.[envName(pass)] !== undefined;
        if (value(pass) === undefined && !inEnv && !reported.has(key)) {
          reported.add(key);
          findings.push({
            line: cipher.line.line,
            section: cipher.line.section!,
            option: cipher.line.key,
            severity: options.env === undefined ? 'warning' : 'error',
            code: 'cipher-without-passphrase',
            message: `repo${index}-cipher-type=${cipher.line.value} but no ${pass} in the file${options.env === undefined ? '' : ' or the environment'}.`,
            fix: `Set ${envName(pass)} in pgBackRest's environment (preferred) or ${pass} in a file only pgBackRest's user can read.`,
          });
        }
      }
    }
  }

  findings.sort((a, b) => a.line - b.line);
  const count = (s: LintSeverity) => findings.filter((f) => f.severity === s).length;
  const errors = count('error');
  return {
    ok: errors === 0,
    clean: findings.length === 0,
    errors,
    warnings: count('warning'),
    infos: count('info'),
    findings,
    catalogueVersion: catalogue.version,
  };
}
