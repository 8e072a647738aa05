import { nextRuns } from '@chronos/pgbackrest/policy';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { parseCount, parseInstant } from '../input.js';
import { renderTable } from '../output/table.js';
import { loadPolicy } from '../policy-file.js';

/** `chronos policy schedule <file>`: the next runs of every schedule in the policy, merged in time order. */
export async function run(
  args: string[],
  options: Record<string, unknown>,
  _context: CommandContext,
): Promise<CommandOutcome> {
  const policy = await loadPolicy(args[0] as string);
  const from = typeof options['from'] === 'string' ? parseInstant(options['from'], '--from') : new Date();
  const count = parseCount(String(options['count']), '--count');
  const runs = nextRuns(policy, { from, count }).map((r) => ({
    type: r.kind,
    utc: r.utc,
    local: r.local,
    timeZone: r.timeZone,
  }));
  return {
    exitCode: ExitCode.Ok,
    result: { from: from.toISOString(), runs },
    text: renderTable([
      ['type', 'UTC', 'local', 'time zone'],
      ...runs.map((r) => [r.type, r.utc, r.local, r.timeZone]),
    ]),
  };
}
