import { CATALOGUE_VERSIONS, type Catalogue, catalogueFor } from '../catalogue/index.js';
import { envNameOf } from '../commands/build-command.js';
import { type ConfigDocument, parseConfigFile } from './config-document.js';
import { closestName } from './did-you-mean.js';
import { loadRuleEvents } from './lint/load-rules.js';
import { readKey } from './lint/option-key.js';
import {
  type MissingOption,
  mergeSections,
  type OptionLine,
  type RunEvent,
  simulateCommand,
} from './lint/simulate-command.js';

/** How bad a finding is: `error` breaks or silently drops configuration; `warning` works but should change. */
export type LintSeverity = 'error' | 'warning' | 'info';

/** Finding codes, stable for programs. */
export type LintCode =
  | 'invalid-line'
  | 'option-outside-section'
  | 'unknown-command'
  | 'unknown-option'
  | 'invalid-option-name'
  | 'negated-option'
  | 'reset-option'
  | 'deprecated-option'
  | 'command-line-only'
  | 'stanza-option-in-global'
  | 'option-not-for-command'
  | 'duplicate-option'
  | 'empty-value'
  | 'invalid-value'
  | 'out-of-range'
  | 'not-allowed'
  | 'beta-required'
  | 'missing-option'
  | 'invalid-combination'
  | 'conflicting-options'
  | 'retention-not-set'
  | 'inline-comment'
  | 'value-misread'
  | 'secret-readable'
  | 'no-stanza';

/** One problem in pgbackrest.conf, with where it is and how to fix it. */
export interface LintFinding {
  /** 1-based line number (the section header or option line concerned). */
  readonly line: number;
  /** 1-based column: the key, or the value when the value is wrong. */
  readonly column: number;
  readonly severity: LintSeverity;
  readonly code: LintCode;
  readonly message: string;
  /** What to change. */
  readonly fix: string;
  readonly section?: string;
  /** The option concerned, by its canonical name (`repo1-s3-bucket`). */
  readonly option?: string;
  /** The pgBackRest commands whose run reads the line this way (absent for findings about the file as a whole). */
  readonly commands?: readonly string[];
}

/** Options for {@link lintConfig}. */
export interface LintConfigOptions {
  /** pgBackRest version the file is for, e.g. `2.45` (the nearest catalogue at or below it is used). */
  readonly version: string;
  /** The file's mode bits (`(await stat(path)).mode`), to flag secrets others can read. */
  readonly fileMode?: number;
  /**
   * The environment pgBackRest will run with (only presence is checked). When given, an option pgBackRest requires
   * counts as present if its `PGBACKREST_*` variable is set, and is an error if not. When absent, a missing secret
   * (keys, passphrases: usually passed by environment) is a warning and a missing plain option an error.
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

/**
 * The commands a deployment runs, as the linter judges the file for each: pgBackRest reads and checks options per
 * command, so a value only `restore` takes is refused only when `restore` runs.
 */
export const LINT_COMMANDS: readonly string[] = [
  'archive-get',
  'archive-push',
  'backup',
  'check',
  'expire',
  'info',
  'restore',
  'stanza-create',
  'stanza-upgrade',
  'verify',
];

/** pgBackRest warns about these and ignores the line; the linter calls them errors because the setting is lost. */
const IGNORED_LINE_IS_ERROR: ReadonlySet<RunEvent['kind']> = new Set([
  'unknown-option',
  'negated-option',
  'reset-option',
  'command-line-only',
  'stanza-option-in-global',
]);

const KIND_TO_CODE: Readonly<Record<RunEvent['kind'], LintCode>> = {
  'refused-name': 'invalid-option-name',
  'unknown-option': 'unknown-option',
  'negated-option': 'negated-option',
  'reset-option': 'reset-option',
  'command-line-only': 'command-line-only',
  'duplicate-option': 'duplicate-option',
  'option-not-for-command': 'option-not-for-command',
  'stanza-option-in-global': 'stanza-option-in-global',
  'empty-value': 'empty-value',
  'invalid-value': 'invalid-value',
  'out-of-range': 'out-of-range',
  'not-allowed': 'not-allowed',
  'beta-required': 'beta-required',
  'missing-option': 'missing-option',
  'invalid-combination': 'invalid-combination',
  'retention-not-set': 'retention-not-set',
  'conflicting-options': 'conflicting-options',
  'value-misread': 'value-misread',
  'deprecated-option': 'deprecated-option',
};

const INLINE_COMMENT = /\s+[#;]/;

function keyColumn(line: OptionLine): number {
  return line.raw.indexOf(line.key) + 1;
}

function valueColumn(line: OptionLine): number {
  const eq = line.raw.indexOf('=');
  let column = eq + 1;
  while (column < line.raw.length && (line.raw[column] === ' ' || line.raw[column] === '\t')) column++;
  return column + 1;
}

/**
 * Whether a secure option holds a secret in fact: endpoints are addresses, an Azure account name is part of every
 * request URL, and a GCS service key is a file path.
 */
function holdsSecret(name: string, doc: ConfigDocument, line: OptionLine): boolean {
  if (name.endsWith('-endpoint') || name.endsWith('-azure-account')) return false;
  const gcs = /^repo(\d+)-gcs-key$/.exec(name);
  if (gcs) {
    const typeKey = `repo${gcs[1]}-gcs-key-type`;
    return doc.lines.some(
      (l) => l.kind === 'option' && l.key === typeKey && l.value === 'token' && l.section === line.section,
    );
  }
  return true;
}

function suggestion(catalogue: Catalogue, key: string): string | undefined {
  const normalized = key.replaceAll('_', '-').toLowerCase();
  const indexed = /^(repo|pg)(\d+)-(.+)$/.exec(normalized);
  if (indexed) {
    const names = [...catalogue.options.values()].filter((d) => d.group === indexed[1]).map((d) => d.name);
    const near = closestName(`${indexed[1]}-${indexed[3]}`, names);
    return near === undefined ? undefined : `${indexed[1]}${indexed[2]}-${near.slice(indexed[1]!.length + 1)}`;
  }
  const candidates = [...catalogue.options.values()]
    .filter((d) => d.section !== 'command-line')
    .map((d) => (d.group ? `${d.group}1-${d.name.slice(d.group.length + 1)}` : d.name));
  return closestName(normalized, candidates);
}

/** Where another catalogue knows a name this one does not (a newer option, or one a release removed). */
function otherVersionsKnowing(catalogue: Catalogue, key: string): string[] {
  return CATALOGUE_VERSIONS.filter((v) => v !== catalogue.version).filter(
    (v) => readKey(catalogueFor(v), key).kind === 'option',
  );
}

function unknownOptionText(catalogue: Catalogue, key: string): { message: string; fix: string } {
  const elsewhere = otherVersionsKnowing(catalogue, key);
  if (elsewhere.length > 0) {
    return {
      message: `pgBackRest ${catalogue.version} has no option '${key}' (pgBackRest ${elsewhere.join(', ')} ${elsewhere.length > 1 ? 'have' : 'has'} it); it warns and ignores the line.`,
      fix: `Remove it, or lint for the pgBackRest version that runs this file (--pgbackrest-version).`,
    };
  }
  const near = suggestion(catalogue, key);
  return {
    message: `pgBackRest ${catalogue.version} has no option '${key}'; it warns and ignores the line, so the setting is lost.`,
    fix: near ? `Did you mean '${near}'?` : 'Remove it or check the option name in the pgBackRest documentation.',
  };
}

interface Accumulated {
  finding: Omit<LintFinding, 'commands'>;
  commands: Set<string>;
}

/**
 * Checks pgbackrest.conf the way pgBackRest itself reads it, for every stanza in the file and every command a
 * deployment runs (archive-get/-push, backup, check, expire, info, restore, stanza-create/-upgrade, verify): the
 * sections each run reads and their precedence, names it refuses, values it refuses (types, ranges, allow-lists,
 * empty values, booleans other than y/n), options it requires (S3/GCS/Azure companions, a cipher passphrase,
 * pg1-path), beta options without `beta`, and the cross-option rules it enforces in code (protocol-timeout above
 * db-timeout, …). Beyond pgBackRest: lines it silently ignores are errors (a typo drops the setting), and it warns
 * about inline comments that become part of a value, unset retention, deprecated names and secrets in a file others
 * can read. Pure: pass the text and, for the permission check, the file mode.
 *
 * @example
 * const result = lintConfig(await readFile('/etc/pgbackrest/pgbackrest.conf', 'utf8'), { version: '2.45', fileMode: 0o640 });
 * for (const f of result.findings) console.log(`${f.line}:${f.column} ${f.severity} ${f.code}: ${f.message} (fix: ${f.fix})`);
 */
export function lintConfig(text: string | ConfigDocument, options: LintConfigOptions): LintResult {
  const doc = typeof text === 'string' ? parseConfigFile(text) : text;
  const catalogue = catalogueFor(options.version);
  const accumulated = new Map<string, Accumulated>();
  const add = (finding: Omit<LintFinding, 'commands'>, command?: string) => {
    const key = `${finding.line}\u0000${finding.code}\u0000${finding.option ?? ''}`;
    const entry = accumulated.get(key) ?? { finding, commands: new Set<string>() };
    accumulated.set(key, entry);
    if (command !== undefined) entry.commands.add(command);
  };

  const headerLines = new Map<string, number>();
  const stanzas: string[] = [];
  for (const line of doc.lines) {
    if (line.kind === 'invalid') {
      add({
        line: line.line,
        column: 1,
        severity: 'error',
        code: 'invalid-line',
        message: `pgBackRest refuses the whole file: ${line.reason}.`,
        fix: 'Fix or remove the line (comments start with # at the beginning of a line).',
      });
    } else if (line.kind === 'section') {
      if (!headerLines.has(line.section.name)) headerLines.set(line.section.name, line.line);
      const section = line.section;
      if ((section.kind === 'stanza' || section.kind === 'stanza-command') && !stanzas.includes(section.stanza)) {
        stanzas.push(section.stanza);
      }
      if ('command' in section && catalogue.command(section.command) === undefined) {
        const near = closestName(section.command, catalogue.commands.keys());
        add({
          line: line.line,
          column: 2,
          severity: 'error',
          code: 'unknown-command',
          section: section.name,
          message: `[${section.name}] names no command of pgBackRest ${catalogue.version}; pgBackRest never reads it.`,
          fix: near
            ? `Did you mean [${section.name.replace(/:[^:]*$/, `:${near}`)}]?`
            : 'Use a pgBackRest command name after the colon, or a stanza name without one.',
        });
      }
    } else if (line.kind === 'option' && line.section === undefined) {
      add({
        line: line.line,
        column: keyColumn(line),
        severity: 'error',
        code: 'option-outside-section',
        option: line.key,
        message: `${line.key} appears before any [section]; pgBackRest refuses the whole file.`,
        fix: 'Move it under [global] or a [stanza] section.',
      });
    }
  }

  const sections = mergeSections(doc.lines);
  const scopes = stanzas.length === 0 ? [undefined] : stanzas;
  const commands = LINT_COMMANDS.filter((c) => catalogue.command(c) !== undefined);
  const read = new Set<OptionLine>();

  const fromEvent = (event: RunEvent, command: string) => {
    read.add(event.line);
    const severity = event.level === 'error' || IGNORED_LINE_IS_ERROR.has(event.kind) ? 'error' : 'warning';
    const text =
      event.kind === 'unknown-option'
        ? unknownOptionText(catalogue, event.line.key)
        : { message: event.message, fix: event.fix };
    add(
      {
        line: event.line.line,
        column: event.at === 'key' ? keyColumn(event.line) : valueColumn(event.line),
        severity,
        code: KIND_TO_CODE[event.kind],
        message: text.message,
        fix: withoutInlineComment(event, text.fix),
        ...(event.line.section === undefined ? {} : { section: event.line.section }),
        option: event.option ?? event.line.key,
      },
      command,
    );
  };

  const fromMissing = (missing: MissingOption, stanza: string | undefined, command: string) => {
    const env = envNameOf(missing.option);
    if (options.env?.[env] !== undefined) return;
    if (missing.definition.section === 'stanza' && stanza === undefined) return;
    const secret = missing.definition.secure;
    const severity: LintSeverity = options.env === undefined && secret ? 'warning' : 'error';
    const home = missing.definition.section === 'stanza' ? stanza! : 'global';
    const anchorLine = missing.because?.line ?? headerLines.get(stanza ?? 'global') ?? headerLines.get('global') ?? 1;
    const reason = missing.because ? ` (because of ${missing.because.key}=${missing.because.value})` : '';
    add(
      {
        line: anchorLine,
        column: missing.because ? keyColumn(missing.because) : 1,
        severity,
        code: 'missing-option',
        option: missing.option,
        ...(missing.because?.section === undefined ? {} : { section: missing.because.section }),
        message: `${missing.option} is required${stanza === undefined ? '' : ` for stanza ${stanza}`}${reason} and not set${options.env === undefined ? '' : ' in the file or the environment'}; pgBackRest refuses to run.`,
        fix: secret
          ? `Set ${env} in pgBackRest's environment (preferred for secrets) or ${missing.option}=… in [${home}] of a file only pgBackRest's user can read.`
          : `Add ${missing.option}=… to [${home}]${options.env === undefined ? ` (or set ${env} in pgBackRest's environment)` : ''}.`,
      },
      command,
    );
  };

  for (const stanza of scopes) {
    for (const command of commands) {
      const run = simulateCommand({ catalogue, version: options.version, sections, stanza, command });
      for (const event of [...run.events, ...loadRuleEvents(run, catalogue, options.version)]) {
        fromEvent(event, command);
      }
      for (const missing of run.missing) fromMissing(missing, stanza, command);
    }
  }

  for (const line of doc.lines) {
    if (line.kind !== 'option' || line.section === undefined) continue;
    const reading = readKey(catalogue, line.key);
    if (!read.has(line) && reading.kind !== 'option') {
      const text =
        reading.kind === 'refused'
          ? {
              message: `pgBackRest ${catalogue.version} refuses the name: ${reading.reason}.`,
              fix: 'Use the option name as pgBackRest documents it.',
            }
          : unknownOptionText(catalogue, line.key);
      add({
        line: line.line,
        column: keyColumn(line),
        severity: 'error',
        code: reading.kind === 'refused' ? 'invalid-option-name' : 'unknown-option',
        section: line.section,
        option: line.key,
        ...text,
      });
    }
    if (reading.kind !== 'option') continue;
    if (reading.deprecated && line.key !== reading.canonicalName) {
      add({
        line: line.line,
        column: keyColumn(line),
        severity: 'warning',
        code: 'deprecated-option',
        section: line.section,
        option: reading.canonicalName,
        message: `'${line.key}' is a deprecated name of ${reading.canonicalName}.`,
        fix: `Rename it to ${reading.canonicalName}.`,
      });
    }
    const comment = INLINE_COMMENT.exec(line.value);
    if (comment && reading.definition.type !== 'hash') {
      const secret = reading.definition.secure;
      const kept = secret ? '<the value before the comment>' : line.value.slice(0, comment.index);
      add({
        line: line.line,
        column: valueColumn(line) + comment.index + comment[0].length - 1,
        severity: 'warning',
        code: 'inline-comment',
        section: line.section,
        option: reading.canonicalName,
        message: secret
          ? `pgBackRest has no inline comments: the secret ${reading.canonicalName} includes the comment after it.`
          : `pgBackRest has no inline comments: ${reading.canonicalName} is '${line.value}', comment included.`,
        fix: `${line.key}=${kept} (and the comment on a line of its own, starting with #).`,
      });
    }
    if (
      reading.definition.secure &&
      line.value !== '' &&
      options.fileMode !== undefined &&
      (options.fileMode & 0o077) !== 0 &&
      holdsSecret(reading.canonicalName, doc, line)
    ) {
      const mode = (options.fileMode & 0o777).toString(8).padStart(3, '0');
      const others = (options.fileMode & 0o007) !== 0;
      add({
        line: line.line,
        column: valueColumn(line),
        severity: others ? 'error' : 'warning',
        code: 'secret-readable',
        section: line.section,
        option: reading.canonicalName,
        message: others
          ? `${reading.canonicalName} is a secret in a file every user can read (mode ${mode}).`
          : `${reading.canonicalName} is a secret in a file its group can read (mode ${mode}); fine only when the group is trusted.`,
        fix: `chmod ${others ? '640 (or 600)' : '600'} the file, or pass ${envNameOf(reading.canonicalName)} in pgBackRest's environment instead.`,
      });
    }
  }

  if (stanzas.length === 0 && doc.lines.some((l) => l.kind === 'option')) {
    add({
      line: headerLines.get('global') ?? 1,
      column: 1,
      severity: 'info',
      code: 'no-stanza',
      message: 'The file names no stanza, so options pgBackRest requires per stanza (pg1-path) were not checked.',
      fix: 'Add a [<stanza>] section with pg1-path, unless another file or the command line supplies it.',
    });
  }

  const findings = [...accumulated.values()]
    .map(({ finding, commands: used }) => (used.size > 0 ? { ...finding, commands: [...used].sort() } : finding))
    .sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
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

/** A fix that quotes the user's value says it without the inline comment pgBackRest would have kept in it. */
function withoutInlineComment(event: RunEvent, fix: string): string {
  const comment = INLINE_COMMENT.exec(event.line.value);
  if (!comment || event.kind !== 'invalid-value') return fix;
  const kept = event.line.value.slice(0, comment.index);
  return kept === 'y' || kept === 'n'
    ? `${event.line.key}=${kept} (move the comment to a line of its own: pgBackRest has no inline comments)`
    : `${fix} pgBackRest has no inline comments: the value it read is '${event.line.value}'.`;
}
