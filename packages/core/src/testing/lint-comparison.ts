import { catalogueFor } from '../catalogue/index.js';
import { STRICTER_BY_DESIGN } from '../config/lint/deliberate-differences.js';
import { readKey } from '../config/lint/option-key.js';
import type { LintFinding, LintResult } from '../config/lint-config.js';
import type { ConfigRunResult } from './config-verdict.js';

/** One point where the linter and pgBackRest disagree about a file. */
export interface LintDisagreement {
  readonly kind: 'missed-error' | 'extra-error' | 'missed-warning' | 'extra-warning';
  readonly option?: string;
  readonly detail: string;
}

/** The outcome of {@link compareLintWithPgBackRest}. */
export interface LintComparison {
  /** Both call the file broken, or both accept it (deliberate differences counted as agreement). */
  readonly verdictAgrees: boolean;
  readonly disagreements: readonly LintDisagreement[];
  /** pgBackRest warnings the linter reports as errors by design, with their option. */
  readonly deliberate: readonly { readonly code: string; readonly option: string }[];
}

const PGBACKREST_WARNINGS_THE_LINTER_WARNS_ABOUT = new Set([
  'option-not-for-command',
  'retention-not-set',
  'conflicting-options',
]);
/** Errors pgBackRest states without naming an option: a malformed file, hosts that cannot both be remote. */
const UNNAMED_ERROR_CODES = new Set(['invalid-line', 'option-outside-section', 'conflicting-options']);

/**
 * Compares a lint result with what real pgBackRest said about the same file (from {@link judgeConfigFiles}), over the
 * commands pgBackRest was run with (a finding only other commands would meet is not judged).
 * `strict` (for files with one fault each) also counts every error the linter reports that pgBackRest did not name;
 * otherwise only the verdict and what pgBackRest named count (pgBackRest stops at the first error of each run).
 *
 * @example
 * const comparison = compareLintWithPgBackRest(lintConfig(text, { version: '2.45', env: {} }), results, { version: '2.45' });
 * if (!comparison.verdictAgrees) console.log(comparison.disagreements);
 */
export function compareLintWithPgBackRest(
  lint: LintResult,
  runs: readonly ConfigRunResult[],
  options: { readonly version: string; readonly strict?: boolean },
): LintComparison {
  const catalogue = catalogueFor(options.version);
  const canonical = (name: string) => {
    const reading = readKey(catalogue, name);
    return reading.kind === 'option' ? reading.canonicalName : name;
  };
  const disagreements: LintDisagreement[] = [];
  const deliberate: { code: string; option: string }[] = [];
  const ran = new Set(runs.map((r) => r.command));
  const judged = (f: LintFinding) => f.commands === undefined || f.commands.some((c) => ran.has(c));
  const strictErrors = lint.findings.filter(
    (f) => f.severity === 'error' && !STRICTER_BY_DESIGN.has(f.code) && judged(f),
  );
  const matches = (f: LintFinding, option: string | undefined) =>
    option === undefined
      ? UNNAMED_ERROR_CODES.has(f.code)
      : f.option !== undefined && canonical(f.option) === canonical(option);

  const pgErrors = runs.flatMap((r) => (r.verdict.error ? [{ ...r.verdict.error, command: r.command }] : []));
  for (const error of pgErrors) {
    if (!strictErrors.some((f) => matches(f, error.option))) {
      disagreements.push({
        kind: 'missed-error',
        ...(error.option === undefined ? {} : { option: error.option }),
        detail: `pgBackRest ${error.command}: [${error.code}] ${error.message}`,
      });
    }
  }
  if (pgErrors.length === 0) {
    for (const f of strictErrors) {
      disagreements.push({
        kind: 'extra-error',
        ...(f.option ? { option: f.option } : {}),
        detail: `${f.line}: ${f.code}: ${f.message}`,
      });
    }
  } else if (options.strict) {
    for (const f of strictErrors) {
      if (!pgErrors.some((e) => matches(f, e.option))) {
        disagreements.push({
          kind: 'extra-error',
          ...(f.option ? { option: f.option } : {}),
          detail: `${f.line}: ${f.code}: ${f.message}`,
        });
      }
    }
  }

  for (const run of runs) {
    for (const warning of run.verdict.warnings) {
      const stricter = STRICTER_BY_DESIGN.has(warning.kind as LintFinding['code']);
      const found = lint.findings.some(
        (f) => f.code === warning.kind && matches(f, warning.option) && (!stricter || f.severity === 'error'),
      );
      if (!found) {
        disagreements.push({
          kind: 'missed-warning',
          option: warning.option,
          detail: `pgBackRest ${run.command} warns ${warning.kind} about '${warning.option}'`,
        });
      } else if (stricter && !deliberate.some((d) => d.code === warning.kind && d.option === warning.option)) {
        deliberate.push({ code: warning.kind, option: warning.option });
      }
    }
  }
  for (const f of lint.findings) {
    if (f.severity !== 'warning' || !PGBACKREST_WARNINGS_THE_LINTER_WARNS_ABOUT.has(f.code) || f.option === undefined) {
      continue;
    }
    const clean = runs.filter((r) => r.verdict.error === undefined && (f.commands ?? []).includes(r.command));
    if (
      clean.length > 0 &&
      !clean.some((r) => r.verdict.warnings.some((w) => w.kind === f.code && matches(f, w.option)))
    ) {
      disagreements.push({ kind: 'extra-warning', option: f.option, detail: `${f.line}: ${f.code}: ${f.message}` });
    }
  }
  const verdictAgrees = pgErrors.length > 0 === strictErrors.length > 0;
  return { verdictAgrees, disagreements, deliberate };
}
