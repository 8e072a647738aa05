import { renderMetrics } from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { loadInfo } from '../info-source.js';
import { parseInstant } from '../input.js';
import { loadPolicy } from '../policy-file.js';

/** `chronos metrics`: Prometheus text exposition of the repository facts (and policy verdicts with `--policy`). */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const now = typeof options['now'] === 'string' ? parseInstant(options['now'], '--now') : new Date();
  const policy = typeof options['policy'] === 'string' ? await loadPolicy(options['policy']) : undefined;
  const info = await loadInfo(options, context);
  const text = renderMetrics(info, { now, ...(policy === undefined ? {} : { policy }) });
  return { exitCode: ExitCode.Ok, result: { now: now.toISOString(), exposition: text }, text: text.trimEnd() };
}
