import {
  type DockerMount,
  DockerVolumeInUseError,
  NoBackupForTargetError,
  type OptionMap,
  RecoveryWindowError,
  type RestoreTarget,
  RestoreTargetError,
  restoreIntoDockerVolume,
} from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

function mounts(values: unknown): DockerMount[] {
  return ((values as string[] | undefined) ?? []).map((value) => {
    const [source, target, mode] = value.split(':');
    if (!source || !target || (mode !== undefined && mode !== 'ro')) {
      throw new UsageError(`--mount must be <volume or host path>:<path inside>[:ro], got "${value}"`);
    }
    return { source, target, ...(mode === 'ro' ? { readOnly: true } : {}) };
  });
}

/**
 * `chronos restore --docker-volume <volume> --image <image>`: core's restoreIntoDockerVolume, with every `PGBACKREST_*`
 * variable of this environment handed to the one-off containers by name.
 */
export async function runDockerVolumeRestore(
  target: RestoreTarget,
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const volume = String(options['dockerVolume']);
  const image = options['image'];
  if (typeof image !== 'string') throw new UsageError('--docker-volume needs --image <the database image>');
  const stanza = context.globals.stanza;
  if (stanza === undefined || stanza === '') throw new UsageError('restore needs --stanza');
  if (options['dryRun'] === true) throw new UsageError('--dry-run does not apply to --docker-volume');
  if (options['yes'] !== true) {
    if (!context.interactive) {
      throw new UsageError('refusing to restore without a terminal to confirm on: pass --yes');
    }
    if (!(await context.confirm(`Restore stanza ${stanza} into volume ${volume} with ${image}?`))) {
      return { exitCode: ExitCode.Ok, result: { ran: false }, text: 'restore not run' };
    }
  }
  const env = Object.fromEntries(
    Object.entries(context.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('PGBACKREST_') && entry[1] !== undefined,
    ),
  );
  const extra: OptionMap = {
    ...(options['delta'] === true ? { delta: true } : {}),
    ...(typeof options['archiveMode'] === 'string' ? { 'archive-mode': options['archiveMode'] } : {}),
  };
  context.progress(`restoring stanza ${stanza} into volume ${volume} in a one-off container of ${image}`);
  try {
    const result = await restoreIntoDockerVolume({
      volume,
      image,
      stanza,
      target,
      env,
      options: extra,
      mounts: mounts(options['mount']),
      ...(typeof options['dockerConfig'] === 'string' ? { configFile: options['dockerConfig'] } : {}),
      ...(typeof options['pgPath'] === 'string' ? { dataPath: options['pgPath'] } : {}),
      ...(typeof options['container'] === 'string' ? { container: options['container'] } : {}),
      ...(context.globals.user === undefined ? {} : { user: context.globals.user }),
      signal: context.signal,
    });
    return {
      exitCode: ExitCode.Ok,
      result: {
        plan: {
          repo: result.plan.repoKey,
          set: result.plan.backup.label,
          backupStop: result.plan.backup.stoppedAt.toISOString(),
          options: result.plan.options,
          notes: result.plan.notes,
        },
        command: result.command,
        startCommand: result.startCommand,
        createdVolume: result.createdVolume,
        ran: true,
        durationSeconds: result.durationSeconds,
      },
      text: [
        `${context.colours.green('restore done')}: stanza ${stanza} from repo${result.plan.repoKey}, backup set ${result.plan.backup.label}, into volume ${volume}${result.createdVolume ? ' (created)' : ''} in ${result.durationSeconds} s`,
        ...result.plan.notes.map((n) => `note: ${n}`),
        'start the database container again (add your own -e/-p settings):',
        `  ${result.startCommand}`,
      ].join('\n'),
    };
  } catch (error) {
    if (error instanceof RestoreTargetError) throw new UsageError(error.message, { cause: error });
    if (
      error instanceof DockerVolumeInUseError ||
      error instanceof RecoveryWindowError ||
      error instanceof NoBackupForTargetError
    ) {
      throw new CliError(error.message, ExitCode.Findings, { cause: error });
    }
    throw error;
  }
}
