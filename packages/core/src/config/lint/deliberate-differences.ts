import type { LintCode } from '../lint-config.js';

/** A place where the linter says more than pgBackRest on purpose. */
export interface LintDeliberateDifference {
  readonly code: LintCode;
  /** What pgBackRest does with the same line. */
  readonly pgbackrest: string;
  /** Why the linter is stricter. */
  readonly reason: string;
}

/**
 * Every place where the linter's verdict is stricter than pgBackRest's by design. Each is a line pgBackRest reads
 * past with a warning (or never reads) and whose setting is lost; the linter makes it an error, because a typo that
 * silently drops `repo1-retention-full` or `pg1-path` is how backups fail months later. Anything else pgBackRest
 * accepts is never an error.
 */
export const LINT_DELIBERATE_DIFFERENCES: readonly LintDeliberateDifference[] = [
  {
    code: 'unknown-option',
    pgbackrest: "warns 'configuration file contains invalid option' and ignores the line",
    reason: 'a misspelt option is a setting that silently does not apply',
  },
  {
    code: 'negated-option',
    pgbackrest: "warns 'configuration file contains negate option' and ignores the line",
    reason: 'no-<option> is a command-line form; in a file the intended setting is lost (write <option>=n)',
  },
  {
    code: 'reset-option',
    pgbackrest: "warns 'configuration file contains reset option' and ignores the line",
    reason: 'reset-<option> is a command-line form; in a file it does nothing',
  },
  {
    code: 'command-line-only',
    pgbackrest: "warns 'configuration file contains command-line only option' and ignores the line",
    reason: 'the setting never applies from a file (type, target, set, …)',
  },
  {
    code: 'stanza-option-in-global',
    pgbackrest: "warns 'configuration file contains stanza-only option … in global section' and ignores the line",
    reason: 'pg1-path and friends in [global] apply to no stanza',
  },
  {
    code: 'unknown-command',
    pgbackrest: 'never reads a [section:command] whose command does not exist, and says nothing',
    reason: 'every option in such a section is silently lost',
  },
];

/** Lint codes that are errors where pgBackRest only warns or says nothing (see {@link LINT_DELIBERATE_DIFFERENCES}). */
export const STRICTER_BY_DESIGN: ReadonlySet<LintCode> = new Set(LINT_DELIBERATE_DIFFERENCES.map((d) => d.code));
