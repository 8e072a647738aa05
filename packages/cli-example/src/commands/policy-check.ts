import {
  type Info,
  type RestorableInstant,
  restorableInstantsFromVerifyReport,
  VerifyReportFormatError,
} from '@chronos/pgbackrest';
import { evaluatePolicy, type Policy, type PolicyEvaluation } from '@chronos/pgbackrest/policy';
import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadInfo } from '../info-source.js';
import { parseInstant, readInputFile } from '../input.js';
import type { Colours } from '../output/colour.js';
import { loadPolicy } from '../policy-file.js';

/**
 * Renders a policy evaluation for people: the verdict, then each finding with its severity.
 *
 * @example
 * ```ts
 * renderEvaluation(evaluatePolicy(policy, info, { now }), colours);
 * ```
 */
export function renderEvaluation(evaluation: PolicyEvaluation, c: Colours): string {
  const verdict =
    evaluation.status === 'ok'
      ? c.green('ok')
      : evaluation.status === 'warning'
        ? c.yellow('warning')
        : c.red('critical');
  const lines = [`policy for stanza ${evaluation.stanza}: ${verdict}`];
  for (const f of evaluation.findings) {
    const sev =
      f.severity === 'critical' ? c.red(f.severity) : f.severity === 'warning' ? c.yellow(f.severity) : f.severity;
    lines.push(`  ${sev} ${f.code}: ${f.message}`);
  }
  return lines.join('\n');
}

/**
 * Evaluates a policy against info; the stanza is the global `--stanza` when given, else the policy's.
 *
 * @example
 * ```ts
 * const evaluation = evaluate(policy, info, new Date(), 'main');
 * ```
 */
export function evaluate(
  policy: Policy,
  info: Info,
  now: Date,
  stanza: string | undefined,
  restorableInstants?: readonly RestorableInstant[],
): PolicyEvaluation {
  return evaluatePolicy(policy, info, {
    now,
    ...(stanza === undefined ? {} : { stanza }),
    ...(restorableInstants === undefined ? {} : { restorableInstants }),
  });
}

async function loadRestorableInstants(path: unknown): Promise<RestorableInstant[] | undefined> {
  if (typeof path !== 'string') return undefined;
  const text = await readInputFile(path, '--verify-report');
  try {
    return restorableInstantsFromVerifyReport(JSON.parse(text));
  } catch (cause) {
    if (cause instanceof SyntaxError) throw new UsageError(`--verify-report ${path} is not JSON`, { cause });
    if (cause instanceof VerifyReportFormatError)
      throw new UsageError(`--verify-report ${path}: ${cause.message}`, { cause });
    throw cause;
  }
}

/** `chronos policy check <file>`: exit 1 when a finding is critical. */
export async function run(
  args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const policy = await loadPolicy(args[0] as string);
  const now = typeof options['now'] === 'string' ? parseInstant(options['now'], '--now') : new Date();
  const info = await loadInfo(options, {
    ...context,
    globals: { ...context.globals, stanza: context.globals.stanza ?? policy.stanza },
  });
  const restorableInstants = await loadRestorableInstants(options['verifyReport']);
  const evaluation = evaluate(policy, info, now, context.globals.stanza, restorableInstants);
  return {
    exitCode: evaluation.status === 'critical' ? ExitCode.Findings : ExitCode.Ok,
    result: evaluation,
    text: renderEvaluation(evaluation, context.colours),
  };
}
