import { stat } from 'node:fs/promises';
import { lintConfig } from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { readInputFile } from '../input.js';

/** `chronos config lint <file>`: exit 0 when there is no error (warnings allowed), 1 when there are errors. */
export async function run(
  args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const path = args[0] as string;
  const text = await readInputFile(path, 'config file');
  const fileMode = (await stat(path)).mode & 0o777;
  const result = lintConfig(text, { version: String(options['pgbackrestVersion']), fileMode, env: context.env });
  const c = context.colours;
  const severity = (s: string) => (s === 'error' ? c.red(s) : s === 'warning' ? c.yellow(s) : s);
  const summary = `${path}: ${result.errors} error(s), ${result.warnings} warning(s), ${result.infos} info (pgBackRest ${result.catalogueVersion} catalogue)`;
  const lines = result.findings.map(
    (f) => `${path}:${f.line}: ${severity(f.severity)} ${f.code}: ${f.message}\n    fix: ${f.fix}`,
  );
  const text2 = result.findings.length === 0 ? `${c.green('clean')}: ${summary}` : [...lines, summary].join('\n');
  return { exitCode: result.ok ? ExitCode.Ok : ExitCode.Findings, result, text: text2 };
}
