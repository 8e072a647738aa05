import { isPolicyValidationError, parsePolicy } from '@chronos/pgbackrest/policy';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { readInputFile } from '../input.js';

/** `chronos policy validate <file>`: exit 0 when valid, 1 with every issue listed when not (like `config lint`). */
export async function run(
  args: string[],
  _options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const path = args[0] as string;
  const text = await readInputFile(path, 'policy');
  try {
    const policy = parsePolicy(text);
    return {
      exitCode: ExitCode.Ok,
      result: { valid: true, issues: [], policy },
      text: `${context.colours.green('valid')}: ${path}`,
    };
  } catch (error) {
    if (!isPolicyValidationError(error)) throw error;
    return {
      exitCode: ExitCode.Findings,
      result: { valid: false, issues: error.issues },
      text: [
        `${context.colours.red('invalid')}: ${path} (${error.issues.length} issue${error.issues.length === 1 ? '' : 's'})`,
        ...error.issues.map((i) => `  ${i.path || '(document)'}: ${i.message}`),
      ].join('\n'),
    };
  }
}
