import {
  analyzeInfo,
  analyzeProgress,
  type OperationProgress,
  type PgBackRestClient,
  supportsInfoProgress,
} from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { formatBytes, formatDuration } from '../output/units.js';
import { clientFor, progressInfo } from '../pgbackrest.js';

const POLL_MS = 2_000;

/**
 * One progress line: bytes done/total from the backup lock (pgBackRest 2.48+), the elapsed time otherwise.
 *
 * @example
 * ```ts
 * progressLine('full', 12, undefined); // "backup full: running, 12s elapsed"
 * ```
 */
export function progressLine(type: string, elapsedSeconds: number, progress: OperationProgress | undefined): string {
  const elapsed = `${formatDuration(elapsedSeconds)} elapsed`;
  if (progress?.completedBytes !== undefined && progress.totalBytes !== undefined) {
    const pct = progress.fraction === undefined ? '' : ` (${(progress.fraction * 100).toFixed(0)}%)`;
    return `backup ${type}: ${formatBytes(progress.completedBytes)} of ${formatBytes(progress.totalBytes)}${pct}, ${elapsed}`;
  }
  return `backup ${type}: running, ${elapsed}`;
}

/**
 * Runs a backup while polling `info` for the lock's progress (`--detail-level=progress` on pgBackRest 2.56+, which
 * reads neither backup.info nor the WAL archive; full info before); resolves to the new backup's label, its duration
 * and the detail level the polling used.
 *
 * @example
 * ```ts
 * const done = await runBackup(session, 'full', context);
 * ```
 */
export async function runBackup(
  session: PgBackRestClient,
  type: 'full' | 'diff' | 'incr',
  context: Pick<CommandContext, 'progress'>,
  options: { readonly annotation?: Readonly<Record<string, string>>; readonly repo?: number } = {},
): Promise<{ type: string; label: string | null; durationSeconds: number; progressDetailLevel: 'full' | 'progress' }> {
  const progressDetailLevel = supportsInfoProgress((await session.version()).version) ? 'progress' : 'full';
  const started = Date.now();
  let finished = false;
  const backup = session.run('backup', { type, ...options }).finally(() => {
    finished = true;
  });
  const poll = (async () => {
    let last = '';
    while (!finished) {
      await Promise.race([backup.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, POLL_MS))]);
      if (finished) break;
      let progress: OperationProgress | undefined;
      try {
        const { info } = await progressInfo(session);
        const [stanza] = analyzeProgress(info).stanzas;
        progress = stanza?.backup.running ? stanza.backup : undefined;
      } catch {
        progress = undefined;
      }
      const line = progressLine(type, (Date.now() - started) / 1000, progress);
      if (!finished && line !== last) context.progress(line);
      last = line;
    }
  })();
  await backup;
  await poll;
  const durationSeconds = Math.round((Date.now() - started) / 100) / 10;
  const [stanza] = analyzeInfo(await session.info(), { now: new Date() }).stanzas;
  let newest: { label: string; stoppedAt: Date } | undefined;
  for (const repo of stanza?.repositories ?? []) {
    const candidate = repo.latest[type];
    if (candidate !== undefined && (newest === undefined || candidate.stoppedAt > newest.stoppedAt)) newest = candidate;
  }
  return { type, label: newest?.label ?? null, durationSeconds, progressDetailLevel };
}

/** `chronos backup --type full|diff|incr`: runs the backup, shows progress on stderr, reports the new label. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const type = options['type'] as 'full' | 'diff' | 'incr';
  const annotations = (options['annotation'] as string[] | undefined) ?? [];
  const annotation: Record<string, string> = {};
  for (const pair of annotations) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--annotation must be key=value, got "${pair}"`);
    annotation[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const repoOption = options['repo'] as string | undefined;
  const repo = repoOption === undefined ? undefined : Number(repoOption);
  if (repo !== undefined && !(Number.isInteger(repo) && repo >= 1 && repo <= 256)) {
    throw new UsageError(`--repo must be a repository number from 1 to 256, got "${repoOption}"`);
  }
  const session = clientFor(context);
  const result = await runBackup(session, type, context, {
    ...(annotations.length === 0 ? {} : { annotation }),
    ...(repo === undefined ? {} : { repo }),
  });
  return {
    exitCode: ExitCode.Ok,
    result,
    text: `${context.colours.green('backup done')}: ${result.type} ${result.label ?? '(label not found in info)'} in ${formatDuration(result.durationSeconds)}`,
  };
}
