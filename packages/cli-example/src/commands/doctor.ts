import { type DoctorCheck, runDoctor } from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import type { Colours } from '../output/colour.js';
import { targetFor } from '../pgbackrest.js';
import { loadPolicy } from '../policy-file.js';

function mark(check: DoctorCheck, c: Colours): string {
  switch (check.status) {
    case 'ok':
      return c.green('ok  ');
    case 'warn':
      return c.yellow('warn');
    case 'fail':
      return c.red('FAIL');
    default:
      return c.dim('skip');
  }
}

/** `chronos doctor`: the troubleshooting list as checks against the live deployment (core's runDoctor). */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const target = targetFor(context);
  const policy = typeof options['policy'] === 'string' ? await loadPolicy(options['policy']) : undefined;
  const report = await runDoctor({
    ...(policy === undefined ? {} : { policy }),
    stanza: target.stanza,
    transport: target.transport,
    ...(target.bin === undefined ? {} : { bin: target.bin }),
    ...(target.config === undefined ? {} : { config: target.config }),
    ...(target.signal === undefined ? {} : { signal: target.signal }),
  });
  const c = context.colours;
  const lines = report.checks.flatMap((check) => [
    `${mark(check, c)} ${check.title}: ${check.detail}`,
    ...(check.fix === undefined || check.status === 'ok' || check.status === 'skip' ? [] : [`     fix: ${check.fix}`]),
  ]);
  const failed = report.checks.filter((check) => check.status === 'fail').length;
  const warned = report.checks.filter((check) => check.status === 'warn').length;
  const exitCode =
    report.verdict === 'unreachable' ? ExitCode.CouldNotRun : failed > 0 ? ExitCode.Findings : ExitCode.Ok;
  lines.push(
    report.verdict === 'unreachable'
      ? c.red('pgBackRest could not be reached: nothing else was checked')
      : `${failed} failed, ${warned} warning(s), ${report.checks.length} checks`,
  );
  return { exitCode, result: report, text: lines.join('\n') };
}
