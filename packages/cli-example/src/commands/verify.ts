import { parseVerifyOutput, type VerifyResult } from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { renderTable } from '../output/table.js';
import { clientFor } from '../pgbackrest.js';

function counts(entry: { missing?: number; checksumInvalid?: number; sizeInvalid?: number; other?: number }): string {
  const parts = [
    ['missing', entry.missing],
    ['checksum invalid', entry.checksumInvalid],
    ['size invalid', entry.sizeInvalid],
    ['other', entry.other],
  ].filter(([, n]) => typeof n === 'number' && n > 0);
  return parts.map(([name, n]) => `${n} ${name}`).join(', ');
}

function renderVerdict(
  result: VerifyResult,
  stanza: string,
  ok: (t: string) => string,
  bad: (t: string) => string,
): string {
  const lines = [`stanza ${result.stanza ?? stanza}: ${result.ok ? ok('ok') : bad('error')}`];
  if (result.archives.length > 0) {
    lines.push(
      renderTable([
        ['archive', 'checked', 'valid', 'problems'],
        ...result.archives.map((a) => [a.archiveId, String(a.totalChecked), String(a.totalValid), counts(a)]),
      ]),
    );
  }
  if (result.backups.length > 0) {
    lines.push(
      renderTable([
        ['backup', 'status', 'checked', 'valid', 'problems'],
        ...result.backups.map((b) => [b.label, b.status, String(b.totalChecked), String(b.totalValid), counts(b)]),
      ]),
    );
  }
  return lines.join('\n');
}

/** `chronos verify`: pgBackRest's verify (which exits 0 even on corruption), parsed; exit 1 when its status is error. */
export async function run(
  _args: string[],
  _options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const session = clientFor(context);
  const { stdout } = await session.run('verify', { output: 'text' });
  const result = parseVerifyOutput(stdout);
  return {
    exitCode: result.ok ? ExitCode.Ok : ExitCode.Findings,
    result,
    text: renderVerdict(result, session.stanza, context.colours.green, context.colours.red),
  };
}
