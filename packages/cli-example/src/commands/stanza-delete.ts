import { analyzeInfo, type StanzaAnalysis } from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { isPgBackRestVerdict, oneLine } from '../failure.js';
import { clientFor } from '../pgbackrest.js';

/** What deleting a stanza loses in one repository. */
interface RepositoryLoss {
  readonly repo: number;
  readonly backups: number;
  readonly full: number;
  readonly diff: number;
  readonly incr: number;
  readonly earliest: string | null;
  readonly latestBackupStop: string | null;
}

function losses(stanza: StanzaAnalysis | undefined): RepositoryLoss[] {
  return (stanza?.repositories ?? []).map((repo) => ({
    repo: repo.key,
    backups: repo.backups.length,
    full: repo.backups.filter((b) => b.type === 'full').length,
    diff: repo.backups.filter((b) => b.type === 'diff').length,
    incr: repo.backups.filter((b) => b.type === 'incr').length,
    earliest: repo.recoveryWindow.earliest?.toISOString() ?? null,
    latestBackupStop: repo.recoveryWindow.latestBackupStop?.toISOString() ?? null,
  }));
}

function describe(stanza: string, lost: readonly RepositoryLoss[]): string {
  const lines = lost.map(
    (l) =>
      `  repo${l.repo}: ${l.backups} backup(s) (${l.full} full, ${l.diff} diff, ${l.incr} incr)` +
      (l.earliest === null
        ? ', no recovery window'
        : `, recovery window ${l.earliest} .. ${l.latestBackupStop ?? 'unknown'} and the WAL after it`),
  );
  return [
    `stanza delete removes stanza ${stanza} from every repository, for good:`,
    ...(lines.length > 0 ? lines : ['  (pgBackRest reports no repository data for it)']),
  ].join('\n');
}

/**
 * `chronos stanza delete --force`: says what will be lost (backups per repository, the recovery window), asks (or
 * needs --yes without a terminal), stops the stanza as pgBackRest requires, deletes it, and starts it again when the
 * delete fails.
 */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  if (options['force'] !== true) {
    throw new UsageError(
      'stanza delete removes every backup and archived WAL of the stanza in every repository: pass --force to mean it',
    );
  }
  const session = clientFor(context);
  const analysis = analyzeInfo(await session.info(), { now: new Date() });
  const lost = losses(analysis.stanzas.find((s) => s.name === session.stanza));
  const summary = describe(session.stanza, lost);
  context.progress(summary);
  if (options['yes'] !== true) {
    if (!context.interactive) {
      throw new UsageError('refusing to delete a stanza without a terminal to confirm on: pass --yes');
    }
    if (!(await context.confirm(`Delete stanza ${session.stanza} and everything listed above?`))) {
      return {
        exitCode: ExitCode.Ok,
        result: { stanza: session.stanza, deleted: false, lost },
        text: 'stanza not deleted',
      };
    }
  }
  // With several repositories pgBackRest deletes one at a time (--repo); each delete wants the stanza stopped.
  const repos = lost.length > 1 ? lost.map((l) => l.repo) : [undefined];
  try {
    for (const repo of repos) {
      await session.run('stop');
      await session.run('stanza-delete', { force: true, ...(repo === undefined ? {} : { repo }) });
    }
  } catch (error) {
    await session.run('start').catch(() => undefined);
    if (!isPgBackRestVerdict(error)) throw error;
    throw new CliError(`stanza delete failed (the stanza was started again): ${oneLine(error)}`, ExitCode.Findings, {
      cause: error,
    });
  }
  return {
    exitCode: ExitCode.Ok,
    result: { stanza: session.stanza, deleted: true, lost },
    text: `${context.colours.green('stanza deleted')}: ${session.stanza} (run stanza create before the next backup)`,
  };
}
