import {
  analyzeInfo,
  type ExpireSimulation,
  parseExpireLog,
  type RetentionPolicy,
  RetentionPolicyError,
  retentionFromOptions,
  retentionToOptions,
  simulateExpire,
} from '@chronos/pgbackrest';
import { compilePolicy } from '@chronos/pgbackrest/policy';
import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadInfo } from '../info-source.js';
import { parseInstant } from '../input.js';
import { renderTable } from '../output/table.js';
import { clientFor } from '../pgbackrest.js';
import { loadPolicy } from '../policy-file.js';

function retentionFromFlags(options: Record<string, unknown>): RetentionPolicy | undefined {
  const int = (flag: string, name: string) => {
    const raw = options[name];
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(String(raw))) throw new UsageError(`${flag} must be a whole number, got "${String(raw)}"`);
    return Number(raw);
  };
  const policy: Record<string, unknown> = {
    full: int('--retention-full', 'retentionFull'),
    fullType: options['retentionFullType'],
    diff: int('--retention-diff', 'retentionDiff'),
    archive: int('--retention-archive', 'retentionArchive'),
    archiveType: options['retentionArchiveType'],
  };
  const set = Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined));
  return Object.keys(set).length === 0 ? undefined : (set as RetentionPolicy);
}

/** Retention per repository key: from flags (every repository) or from a policy file's compiled options. */
async function retentionByRepo(options: Record<string, unknown>, stanza: string | undefined) {
  const fromFlags = retentionFromFlags(options);
  const policyPath = options['policy'];
  if (fromFlags !== undefined && typeof policyPath === 'string') {
    throw new UsageError('give either --retention-* flags or --policy, not both');
  }
  if (fromFlags !== undefined) return () => fromFlags;
  if (typeof policyPath !== 'string') {
    throw new UsageError(
      'say which retention to simulate: --retention-full <n> [--retention-full-type time] … or --policy <file>',
    );
  }
  const compiled = compilePolicy(await loadPolicy(policyPath), stanza === undefined ? {} : { stanza });
  const flat: Record<string, string> = {};
  for (const group of compiled.sections.global) for (const [name, value] of group.entries) flat[name] = value;
  return (repo: number) => retentionFromOptions(flat, repo);
}

/**
 * `chronos expire --dry-run`: the SDK's simulation next to pgBackRest's own `expire --dry-run` with the same retention
 * (passed on the command line so both see the same numbers). Exit 0 whether or not they agree; `agree` says.
 */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  if (options['dryRun'] !== true) {
    throw new UsageError('only --dry-run is supported: chronos never expires backups itself (run pgbackrest expire)');
  }
  const now = typeof options['now'] === 'string' ? parseInstant(options['now'], '--now') : new Date();
  let retentionFor: (repo: number) => RetentionPolicy;
  try {
    retentionFor = await retentionByRepo(options, context.globals.stanza);
  } catch (error) {
    if (error instanceof RetentionPolicyError) throw new UsageError(error.message);
    throw error;
  }
  const info = await loadInfo(options, context);
  const analysis = analyzeInfo(info, { now });
  const repos = analysis.stanzas.flatMap((stanza) =>
    stanza.repositories.map((repo) => {
      const retention = retentionFor(repo.key);
      let simulation: ExpireSimulation;
      try {
        simulation = simulateExpire(repo, retention, { now });
      } catch (error) {
        if (error instanceof RetentionPolicyError) throw new UsageError(error.message);
        throw error;
      }
      return { stanza: stanza.name, repo: repo.key, retention, simulation };
    }),
  );

  let pgbackrest: Record<number, string[]> | null = null;
  if (typeof options['fromFile'] !== 'string') {
    const session = clientFor(context);
    // retentionToOptions renders conf-file strings; the command builders take integers as numbers.
    const retentionOptions: Record<string, string | number> = {};
    for (const r of repos) {
      for (const [name, value] of Object.entries(retentionToOptions(r.retention, r.repo))) {
        retentionOptions[name] = /^\d+$/.test(value) ? Number(value) : value;
      }
    }
    const { stdout, stderr } = await session.run('expire', {
      'dry-run': true,
      'log-level-console': 'info',
      ...retentionOptions,
    });
    pgbackrest = {};
    for (const entry of parseExpireLog(`${stdout}\n${stderr}`)) {
      if (entry.kind === 'expire-set') pgbackrest[entry.repo] = [...(pgbackrest[entry.repo] ?? []), ...entry.labels];
    }
  }

  const rows: string[][] = [['stanza', 'repo', 'backup', 'simulation', ...(pgbackrest === null ? [] : ['pgBackRest'])]];
  let agree = true;
  const result = repos.map((r) => {
    const simulated = [...r.simulation.expiredLabels];
    const actual = pgbackrest === null ? null : (pgbackrest[r.repo] ?? []);
    const same = actual === null || (actual.length === simulated.length && actual.every((l) => simulated.includes(l)));
    agree &&= same;
    const labels = [...new Set([...simulated, ...(actual ?? [])])].sort();
    for (const label of labels) {
      rows.push([
        r.stanza,
        String(r.repo),
        label,
        simulated.includes(label) ? 'expire' : 'keep',
        ...(actual === null ? [] : [actual.includes(label) ? 'expire' : 'keep']),
      ]);
    }
    return {
      stanza: r.stanza,
      repo: r.repo,
      retention: r.retention,
      simulation: r.simulation,
      pgbackrest: actual,
      agree: same,
    };
  });
  const notes = [...new Set(repos.flatMap((r) => r.simulation.notes))];
  const c = context.colours;
  const text = [
    rows.length === 1 ? 'nothing would expire' : renderTable(rows),
    ...(pgbackrest === null
      ? ['(simulation only: info read from a file)']
      : [
          agree
            ? c.green("simulation and pgBackRest's dry run agree")
            : c.yellow("simulation and pgBackRest's dry run DIFFER"),
        ]),
    ...notes.map((n) => `note: ${n}`),
  ].join('\n');
  return {
    exitCode: ExitCode.Ok,
    result: { now: now.toISOString(), repositories: result, agree: pgbackrest === null ? null : agree },
    text,
  };
}
