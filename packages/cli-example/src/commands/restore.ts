import {
  analyzeInfo,
  type CommandOptions,
  NoBackupForTargetError,
  planRestore,
  RecoveryWindowError,
  type RestorePlan,
  type RestoreTarget,
  RestoreTargetError,
  type TargetAction,
} from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { clientFor } from '../pgbackrest.js';

const TARGET_FLAGS = ['time', 'xid', 'lsn', 'name', 'immediate'] as const;

/**
 * The restore target the flags describe; at most one of --time, --xid, --lsn, --name, --immediate (none: the end of
 * the archived WAL).
 *
 * @example
 * ```ts
 * targetFromFlags({ time: '2026-11-24T02:00:00Z', targetAction: 'promote' });
 * ```
 */
export function targetFromFlags(options: Record<string, unknown>): RestoreTarget {
  const given = TARGET_FLAGS.filter((flag) => options[flag] !== undefined);
  if (given.length > 1)
    throw new UsageError(`give one restore target, not ${given.map((f) => `--${f}`).join(' and ')}`);
  const selection = {
    ...(typeof options['set'] === 'string' ? { set: options['set'] } : {}),
  };
  const action =
    typeof options['targetAction'] === 'string' ? { targetAction: options['targetAction'] as TargetAction } : {};
  const exclusive = options['exclusive'] === true ? { exclusive: true } : {};
  if (options['exclusive'] === true && !['time', 'xid', 'lsn'].includes(given[0] ?? '')) {
    throw new UsageError('--exclusive applies to --time, --xid and --lsn only');
  }
  switch (given[0]) {
    case 'time':
      return { type: 'time', time: String(options['time']), ...selection, ...action, ...exclusive };
    case 'xid':
      return { type: 'xid', xid: String(options['xid']), ...selection, ...action, ...exclusive };
    case 'lsn':
      return { type: 'lsn', lsn: String(options['lsn']), ...selection, ...action, ...exclusive };
    case 'name':
      return { type: 'name', name: String(options['name']), ...selection, ...action };
    case 'immediate':
      return { type: 'immediate', ...selection, ...action };
    default:
      if (Object.keys(action).length > 0)
        throw new UsageError('--target-action needs a target (--time, --xid, --lsn, --name or --immediate)');
      return { type: 'default', ...selection };
  }
}

function plan(target: RestoreTarget, stanza: Parameters<typeof planRestore>[1]): RestorePlan {
  try {
    return planRestore(target, stanza);
  } catch (error) {
    if (error instanceof RestoreTargetError) throw new UsageError(error.message, { cause: error });
    if (error instanceof RecoveryWindowError || error instanceof NoBackupForTargetError) {
      throw new CliError(error.message, ExitCode.Findings, { cause: error });
    }
    throw error;
  }
}

/**
 * `chronos restore`: plans the restore against the analysed repository (refusing targets outside the recovery window),
 * then prints the exact command (`--dry-run`) or runs it after confirmation.
 */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const target = targetFromFlags(options);
  if (typeof options['dockerVolume'] === 'string') {
    const { runDockerVolumeRestore } = await import('./restore-docker-volume.js');
    return runDockerVolumeRestore(target, options, context);
  }
  const dryRun = options['dryRun'] === true;
  if (!dryRun && options['yes'] !== true && !context.interactive) {
    throw new UsageError(
      'refusing to restore without a terminal to confirm on: pass --yes (or --dry-run to see the command)',
    );
  }
  const session = clientFor(context);
  const analysis = analyzeInfo(await session.info(), { now: new Date() });
  const stanza = analysis.stanzas.find((s) => s.name === session.stanza);
  if (stanza === undefined) throw new CliError(`pgBackRest reports no stanza ${session.stanza}`, ExitCode.Findings);
  const restorePlan = plan(target, stanza);
  const restoreOptions: CommandOptions<'restore'> = {
    ...restorePlan.options,
    ...(typeof options['pgPath'] === 'string' ? { 'pg1-path': options['pgPath'] } : {}),
    ...(options['delta'] === true ? { delta: true } : {}),
    ...(typeof options['archiveMode'] === 'string'
      ? { 'archive-mode': options['archiveMode'] as NonNullable<CommandOptions<'restore'>['archive-mode']> }
      : {}),
  };
  const command = await session.render('restore', restoreOptions);
  const planJson = {
    repo: restorePlan.repoKey,
    set: restorePlan.backup.label,
    backupStop: restorePlan.backup.stoppedAt.toISOString(),
    options: restorePlan.options,
    notes: restorePlan.notes,
  };
  const summary = [
    `restore stanza ${session.stanza} from repo${restorePlan.repoKey}, backup set ${restorePlan.backup.label} (stopped ${planJson.backupStop})`,
    ...restorePlan.notes.map((n) => `note: ${n}`),
    `command: ${command}`,
  ].join('\n');
  if (dryRun) return { exitCode: ExitCode.Ok, result: { plan: planJson, command, ran: false }, text: summary };

  if (options['yes'] !== true) {
    context.progress(summary);
    if (!(await context.confirm('Run this restore?'))) {
      return { exitCode: ExitCode.Ok, result: { plan: planJson, command, ran: false }, text: 'restore not run' };
    }
  }
  const started = Date.now();
  await session.run('restore', restoreOptions);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  return {
    exitCode: ExitCode.Ok,
    result: { plan: planJson, command, ran: true, durationSeconds: seconds },
    text: `${summary}\n${context.colours.green('restore done')} in ${seconds} s: start PostgreSQL on the restored data directory to recover`,
  };
}
