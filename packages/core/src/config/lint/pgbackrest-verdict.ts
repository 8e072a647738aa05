/** What pgBackRest itself said about its configuration in one run. */
export interface PgBackRestConfigVerdict {
  /** The option error it stopped with, if any (exit codes 29, 31, 32, 37 and the remote-hosts 27). */
  readonly error?: { readonly code: number; readonly option?: string; readonly message: string };
  /** Configuration warnings: `kind` is the lint code for the same problem, `option` the name pgBackRest printed. */
  readonly warnings: readonly { readonly kind: string; readonly option: string }[];
}

const WARNINGS: readonly [RegExp, string][] = [
  [/configuration file contains invalid option '([^']+)'/, 'unknown-option'],
  [/configuration file contains negate option '([^']+)'/, 'negated-option'],
  [/configuration file contains reset option '([^']+)'/, 'reset-option'],
  [/configuration file contains command-line only option '([^']+)'/, 'command-line-only'],
  [/configuration file contains stanza-only option '([^']+)' in global section/, 'stanza-option-in-global'],
  [/configuration file contains option '([^']+)' invalid for section/, 'option-not-for-command'],
  [/option '([^']+)' is not set for '[^']*', the repository may run out of space/, 'retention-not-set'],
  [/'(compress)' and 'compress-type' options should not both be set/, 'conflicting-options'],
];

const OPTION_ERROR_CODES = new Set([29, 31, 32, 37]);

/** The option an option error names: `requires option: X`, `'value' is not valid for 'X' option`, `option 'X' …`. */
function optionNamed(message: string): string | undefined {
  const patterns = [
    /requires option: ([a-z0-9-]+)/,
    /local repo\d+ and (repo\d+) paths are both/,
    /for '([a-z0-9-]+)' option/,
    /key '([a-z0-9-]+)' must have a value/,
    /option '([a-z0-9-]+)'/,
    /options \('([^']+)'/,
    /'([a-z0-9-]+)' is not valid for option/,
    /not valid for '(protocol-timeout)' option/,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(message);
    if (match) return pattern.source.startsWith('local') ? `${match[1]}-path` : match[1];
  }
  return undefined;
}

/**
 * Reads pgBackRest's console output (`--log-level-console=warn`) and exit code for what it says about the
 * configuration, leaving out what the environment caused (no database, no repository, no parameter).
 *
 * @example
 * parsePgBackRestConfigVerdict("ERROR: [032]: 'abc' is not valid for 'process-max' option\n", 32);
 * // { error: { code: 32, option: 'process-max', message: "'abc' is not valid for 'process-max' option" }, warnings: [] }
 */
export function parsePgBackRestConfigVerdict(output: string, exitCode: number): PgBackRestConfigVerdict {
  const warnings: { kind: string; option: string }[] = [];
  const seen = new Set<string>();
  for (const line of output.split('\n')) {
    if (!/^(?:.*\bP\d+ +)?WARN: /.test(line)) continue;
    for (const [pattern, kind] of WARNINGS) {
      const match = pattern.exec(line);
      if (match && !seen.has(`${kind}:${match[1]}`)) {
        seen.add(`${kind}:${match[1]}`);
        warnings.push({ kind, option: match[1]! });
      }
    }
  }
  const errorLine = /ERROR: \[(\d{3})\]: (.*)/.exec(output);
  if (!errorLine) return { warnings };
  const code = Number(errorLine[1]);
  const message = errorLine[2]!.trim();
  const optionError =
    OPTION_ERROR_CODES.has(code) || (code === 27 && /hosts cannot both be configured as remote/.test(message));
  if (!optionError || exitCode !== code) return { warnings };
  const option = optionNamed(message);
  return { error: { code, message, ...(option === undefined ? {} : { option }) }, warnings };
}
