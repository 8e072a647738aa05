import { compileAlertRules, compilePolicy, isPolicyValidationError } from '@chronos/pgbackrest/policy';
import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadPolicy } from '../policy-file.js';

/** `chronos policy compile <file>`: pgbackrest.conf, schedules and the notes that explain every approximation. */
export async function run(
  args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const path = args[0] as string;
  const policy = await loadPolicy(path);
  if (options['format'] === 'prometheus-rules') {
    let rules: ReturnType<typeof compileAlertRules>;
    try {
      rules = compileAlertRules(policy, {
        ...(context.globals.stanza === undefined ? {} : { stanza: context.globals.stanza }),
        ...(typeof options['job'] === 'string' ? { job: options['job'] } : {}),
        ...(typeof options['runbookBase'] === 'string' ? { runbookBase: options['runbookBase'] } : {}),
        ...(typeof options['staleAfter'] === 'string' ? { staleAfter: options['staleAfter'] } : {}),
      });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(`--stale-after: ${error.message}`);
      throw error;
    }
    return { exitCode: ExitCode.Ok, result: rules, text: rules.yaml.trimEnd() };
  }
  const version = options['pgbackrestVersion'];
  let compiled: ReturnType<typeof compilePolicy>;
  try {
    compiled = compilePolicy(policy, {
      ...(context.globals.stanza === undefined ? {} : { stanza: context.globals.stanza }),
      ...(typeof version === 'string' ? { version } : {}),
      ...(context.globals.config === undefined ? {} : { configPath: context.globals.config }),
    });
  } catch (error) {
    if (isPolicyValidationError(error)) {
      throw new UsageError(`${path}: ${error.issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; ')}`);
    }
    throw error;
  }
  const format = String(options['format'] ?? 'all');
  const c = context.colours;
  const parts: string[] = [];
  if (format === 'conf' || format === 'all') parts.push(section('pgbackrest.conf', compiled.config, format, c.bold));
  if (format === 'crontab' || format === 'all')
    parts.push(section('crontab', compiled.schedules.crontab, format, c.bold));
  if (format === 'systemd' || format === 'all') {
    for (const unit of compiled.schedules.systemd) parts.push(section(unit.name, unit.content, 'all', c.bold));
  }
  if (format === 'kubernetes' || format === 'all') {
    parts.push(
      section('kubernetes', compiled.schedules.kubernetes.map((job) => job.manifest).join('---\n'), format, c.bold),
    );
  }
  if (format === 'all' && compiled.notes.length > 0) {
    parts.push(
      `${c.bold('# notes')}\n${compiled.notes.map((n) => `- ${n.path === undefined ? '' : `${n.path}: `}${n.message}`).join('\n')}`,
    );
  }
  return { exitCode: ExitCode.Ok, result: compiled, text: parts.join('\n\n').trimEnd() };
}

function section(title: string, body: string, format: string, bold: (text: string) => string): string {
  return format === 'all' ? `${bold(`# ${title}`)}\n${body.trimEnd()}` : body.trimEnd();
}
