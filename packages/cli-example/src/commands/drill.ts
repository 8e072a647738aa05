import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  createPgBackRest,
  type DrillReport,
  drillMetricValues,
  formatDrillReport,
  isDrillError,
  isPgBackRestError,
  isRestoredClusterError,
  parseExpectation,
  previousDrillRepo,
  previousDrillSuccess,
  type RestoreTarget,
  renderDrillMetrics,
  runContainerDrill,
  runRestoreDrill,
  type SqlCheck,
} from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { CliError, CouldNotRunError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { targetFor } from '../pgbackrest.js';
import { loadPolicy } from '../policy-file.js';
import { targetFromFlags } from './restore.js';

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * The SQL checks of the command line: each `--check-sql` paired with the `--expect` at the same position.
 *
 * @example
 * ```ts
 * checksFromFlags({ checkSql: ['SELECT count(*) FROM t'], expect: ['>=1'] });
 * ```
 */
export function checksFromFlags(options: Record<string, unknown>): SqlCheck[] {
  const queries = list(options['checkSql']);
  const expectations = list(options['expect']);
  if (queries.length !== expectations.length) {
    throw new UsageError(
      `give one --expect for each --check-sql (got ${queries.length} queries and ${expectations.length} expectations)`,
    );
  }
  return queries.map((sql, i) => {
    try {
      return { sql, expect: parseExpectation(expectations[i]!) };
    } catch (error) {
      throw new UsageError(`--expect: ${(error as Error).message}`);
    }
  });
}

async function writeMetrics(
  path: string,
  stanza: string,
  repo: string | undefined,
  report: DrillReport | undefined,
  started: number,
) {
  const before = await readFile(path, 'utf8').catch(() => '');
  // A failed drill without --repo keeps the repository label of the drill that wrote the file before.
  const labels = { stanza, repo: repo ?? previousDrillRepo(before, stanza) ?? '1' };
  const previous = previousDrillSuccess(before, labels);
  const values =
    report === undefined
      ? {
          ...(previous === undefined ? {} : { lastSuccess: previous }),
          durationSeconds: Math.round((Date.now() - started) / 10) / 100,
          checksFailed: 1,
        }
      : drillMetricValues(report, previous);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, renderDrillMetrics(labels, values));
  await rename(temporary, path);
}

function couldNotRun(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (isDrillError(error) || isRestoredClusterError(error) || isPgBackRestError(error)) {
    return new CouldNotRunError(`the drill could not prove the backup: ${(error as Error).message}`, { cause: error });
  }
  return new CouldNotRunError((error as Error)?.message ?? String(error), { cause: error });
}

/**
 * `chronos drill`: restores into a scratch directory, starts PostgreSQL there (Unix socket only), waits for recovery,
 * runs the checks, removes everything; exit 0 proven, 1 a check failed, 3 could not run.
 */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const policy = typeof options['policy'] === 'string' ? await loadPolicy(options['policy']) : undefined;
  const drillPolicy = policy?.restoreDrill;
  if (policy !== undefined && drillPolicy === undefined) {
    throw new UsageError(`${String(options['policy'])}: the policy has no restoreDrill section`);
  }
  const policyRepo =
    drillPolicy === undefined
      ? undefined
      : policy!.repositories.findIndex((r) => r.name === drillPolicy.repository) + 1;
  const repoFlag = options['repo'] === undefined ? undefined : Number(options['repo']);
  if (repoFlag !== undefined && !(Number.isInteger(repoFlag) && repoFlag >= 1 && repoFlag <= 256)) {
    throw new UsageError('--repo must be an integer from 1 to 256');
  }
  const repo = repoFlag ?? policyRepo;
  const image =
    typeof options['image'] === 'string'
      ? options['image']
      : context.globals.docker === undefined
        ? undefined
        : drillPolicy?.image;
  if (image !== undefined && context.globals.docker === undefined) {
    throw new UsageError(
      '--image runs the drill beside a container deployment: give the production container with --docker',
    );
  }
  if (image !== undefined && options['scratch'] !== undefined) {
    throw new UsageError('--image restores into a scratch volume of its own: leave out --scratch');
  }
  const scratch = (options['scratch'] as string | undefined) ?? drillPolicy?.path;
  if (scratch === undefined && image === undefined) {
    throw new UsageError(
      'give --scratch <dir> (or --policy with a restoreDrill.path), or --image for a container deployment',
    );
  }
  const flagged = targetFromFlags(options);
  const target = { ...flagged, ...(repo === undefined ? {} : { repo }) } as RestoreTarget;
  const checks = [
    ...(drillPolicy?.checks ?? []).map((c) => ({
      ...(c.name === undefined ? {} : { name: c.name }),
      sql: c.sql,
      ...(c.database === undefined ? {} : { database: c.database }),
      expect: parseExpectation(c.expect),
    })),
    ...checksFromFlags(options),
  ];
  const timeoutSeconds = options['timeout'] === undefined ? 3600 : Number(options['timeout']);
  if (!(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) throw new UsageError('--timeout must be seconds > 0');
  const metricsFile = (options['metricsFile'] as string | undefined) ?? drillPolicy?.metricsFile;

  const where = targetFor(context);
  const client = createPgBackRest({
    stanza: where.stanza,
    transport: where.transport,
    ...(where.bin === undefined ? {} : { bin: where.bin }),
    ...(where.config === undefined ? {} : { config: where.config }),
  });
  const started = Date.now();
  let report: DrillReport | undefined;
  try {
    const common = {
      client,
      target,
      checks,
      amcheck: options['amcheck'] !== false,
      keep: options['keep'] === true,
      timeout: timeoutSeconds * 1000,
      signal: context.signal,
      onProgress: (line: string) => context.progress(line),
      ...(typeof options['pgBin'] === 'string' ? { pgBin: options['pgBin'] } : {}),
    };
    report =
      image === undefined
        ? await runRestoreDrill({ ...common, scratch: scratch as string })
        : await runContainerDrill({ ...common, image });
  } catch (error) {
    if (metricsFile !== undefined) {
      await writeMetrics(
        metricsFile,
        where.stanza,
        repo === undefined ? undefined : String(repo),
        undefined,
        started,
      ).catch(() => undefined);
    }
    throw couldNotRun(error);
  }
  if (metricsFile !== undefined) await writeMetrics(metricsFile, report.stanza, String(report.repo), report, started);
  const exitCode = report.outcome === 'proven' ? ExitCode.Ok : ExitCode.Findings;
  const failed = report.checks.filter((c) => c.status === 'failed').map((c) => c.name);
  const verdict =
    report.outcome === 'proven'
      ? context.colours.green('drill proven')
      : context.colours.red(`drill check failed: ${failed.join(', ')}`);
  return { exitCode, result: report, text: `${formatDrillReport(report)}\n${verdict}` };
}
