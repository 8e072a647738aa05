/**
 * Exit codes of `chronos`, the same for every command.
 *
 * - `0` ok: the command ran and found nothing wrong.
 * - `1` findings: the command ran and something is wrong (a check failed, a lint error, a policy objective missed,
 *   a verification finding, a restore target outside the recovery window).
 * - `2` usage: the command line or an input file is wrong (unknown flag, missing value, malformed JSON/YAML, a policy
 *   that does not validate). Fix the input and run again.
 * - `3` could not run: pgBackRest, PostgreSQL, the repository or other infrastructure failed or was unreachable.
 *
 * @example
 * ```ts
 * import { ExitCode } from '@chronos/cli';
 * if (result.exitCode === ExitCode.Findings) console.log('look at the findings');
 * ```
 */
export const ExitCode = {
  Ok: 0,
  Findings: 1,
  Usage: 2,
  CouldNotRun: 3,
} as const;

/** One of the documented exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit-code table as printed at the end of `chronos --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  findings: a check failed, lint errors, policy objectives missed, verification findings
  2  usage: bad flags or arguments, malformed input file (JSON, YAML, policy, config)
  3  could not run: pgBackRest, PostgreSQL, the repository or infrastructure failed`;
