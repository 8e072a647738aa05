import type { PgBackRestVerifyProblem, PgBackRestVerifyResult } from './pgbackrest-verify.js';
import type { Finding, VerifyReport } from './report.js';

/** Our report beside pgBackRest's own `verify` on the same repository. */
export interface PgBackRestComparison {
  /** What pgBackRest named, with the finding of ours that covers it. */
  readonly agreed: ReadonlyArray<{ readonly theirs: PgBackRestVerifyProblem; readonly ours: Finding }>;
  /** What pgBackRest named (a file, or a backup it judged invalid) that no finding of ours covers. */
  readonly missedByUs: ReadonlyArray<PgBackRestVerifyProblem | { readonly label: string; readonly status: string }>;
  /** Our error and warning findings that pgBackRest did not report (WAL gaps, WAL a backup needs, history, …). */
  readonly missedByPgBackRest: readonly Finding[];
}

const stripCompression = (path: string) => path.replace(/\.(gz|lz4|zst|bz2)$/, '');

function covers(finding: Finding, path: string): boolean {
  const key = finding.where?.key;
  if (key !== undefined && (key.endsWith(`/${path}`) || key === path)) return true;
  const label = path.split('/')[0]!;
  if (finding.where?.file !== undefined && stripCompression(path) === `${finding.where.label}/${finding.where.file}`)
    return true;
  // A missing or cut bundle (or file) of the backup stands for every file pgBackRest could not read from it.
  if (
    (finding.code === 'backup-file-missing' || finding.code === 'backup-file-truncated') &&
    key?.includes(`/${label}/`) === true
  )
    return true;
  // A WAL segment named by pgBackRest inside a range we report missing or damaged.
  const segment = /([0-9A-F]{24})/.exec(path.split('/').pop() ?? '')?.[1];
  const range = finding.where?.segments;
  if (segment !== undefined && range !== undefined) {
    return segment.slice(0, 8) === range.first.slice(0, 8) && segment >= range.first && segment <= range.last;
  }
  // A manifest or an info file: the same file, or its copy.
  if (key !== undefined && /(backup\.manifest|\.info)(\.copy)?$/.test(path)) {
    return key.endsWith(path.replace(/\.copy$/, '')) || key.endsWith(`${path.replace(/\.copy$/, '')}.copy`);
  }
  return false;
}

/**
 * Compares a verification report with pgBackRest's own `verify` on the same repository (see
 * {@link parsePgBackRestVerify}): which of pgBackRest's problems our findings cover, which they do not,
 * and which of our findings pgBackRest did not report. Pure.
 *
 * @example
 * const comparison = comparePgBackRestVerify(report, parsePgBackRestVerify(output));
 * comparison.missedByUs; // [] when every problem pgBackRest reports is found too
 * comparison.missedByPgBackRest.map((f) => f.code); // e.g. ['wal-missing', 'wal-backup-incomplete']
 */
export function comparePgBackRestVerify(report: VerifyReport, theirs: PgBackRestVerifyResult): PgBackRestComparison {
  const findings = report.findings.filter((f) => f.severity !== 'info');
  const agreed: Array<{ theirs: PgBackRestVerifyProblem; ours: Finding }> = [];
  const missedByUs: Array<PgBackRestVerifyProblem | { label: string; status: string }> = [];
  const used = new Set<Finding>();
  for (const problem of theirs.problems) {
    if (problem.level === 'INFO' && problem.path === undefined) continue;
    const match = problem.path === undefined ? undefined : findings.find((f) => covers(f, problem.path!));
    if (match === undefined) missedByUs.push(problem);
    else {
      agreed.push({ theirs: problem, ours: match });
      used.add(match);
    }
  }
  const backups = new Map(report.stanzas.flatMap((s) => s.backups.map((b) => [b.label, b] as const)));
  for (const backup of theirs.backups) {
    if (backup.status === 'valid') continue;
    if (backups.get(backup.label)?.restorable !== false)
      missedByUs.push({ label: backup.label, status: backup.status });
  }
  const invalid = new Set(theirs.backups.filter((b) => b.status !== 'valid').map((b) => b.label));
  const missedByPgBackRest = findings.filter(
    (f) =>
      !used.has(f) &&
      !(f.code.startsWith('backup-') && (f.breaks ?? [f.where?.label]).some((l) => l !== undefined && invalid.has(l))),
  );
  return { agreed, missedByUs, missedByPgBackRest };
}
