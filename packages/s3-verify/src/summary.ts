import type { VerifyReport } from './report.js';

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * A short text for people: verdict, per-stanza counts and sizes, the findings (errors first) and
 * the cost assumption. Contains no secret.
 *
 * @example
 * console.log(summarizeReport(report));
 */
export function summarizeReport(report: VerifyReport, maxFindings = 20): string {
  const lines: string[] = [];
  const target = report.target;
  const where =
    target.storage === 's3'
      ? `s3://${target.bucket}${target.repoPath === '/' ? '' : target.repoPath} (${target.region})`
      : target.path;
  const verdict = { ok: 'OK', findings: 'FINDINGS', unverified: 'COULD NOT VERIFY' }[report.outcome];
  lines.push(`${verdict}: ${where}`);
  if (!report.access.ok) lines.push(`  access: ${report.access.code}: ${report.access.message}`);
  if (report.bucket !== null) {
    const b = report.bucket;
    lines.push(
      `  bucket: versioning ${b.versioning}, object lock ${b.objectLock}, default encryption ${b.encryption.state}${b.encryption.algorithm ? ` (${b.encryption.algorithm})` : ''}`,
    );
  }
  for (const stanza of report.stanzas) {
    const archives = stanza.archives
      .map(
        (a) =>
          `${a.archiveId}: ${a.timelines.reduce((n, t) => n + t.segments, 0)} WAL, segment size ${a.segmentSize.bytes === null ? 'unknown' : formatBytes(a.segmentSize.bytes)} (${a.segmentSize.source})`,
      )
      .join('; ');
    lines.push(
      `  stanza ${stanza.name}${stanza.verified ? '' : ' (not fully verified)'}: ${stanza.backups.length} backup(s), ${archives || 'no WAL'}, ${stanza.encrypted === null ? '' : stanza.encrypted ? 'encrypted, ' : 'not encrypted, '}${formatBytes(stanza.bytes)} in ${stanza.objects} objects`,
    );
  }
  for (const stanza of report.stanzas) {
    if (stanza.deep !== null) {
      lines.push(
        `  deep [${stanza.name}]: ${stanza.deep.files} backup file(s) (${formatBytes(stanza.deep.fileBytes)}) and ${stanza.deep.segments} WAL segment(s) (${formatBytes(stanza.deep.segmentBytes)}) read and checked${report.settings.deepProof === 'stored' ? '; backup files with a stored checksum proven by their stored bytes only (not decoded)' : ''}`,
      );
    }
    for (const backup of stanza.backups.filter((b) => b.restorable === false)) {
      lines.push(`  backup ${backup.label} cannot be restored: ${backup.reasons.join('; ')}`);
    }
    for (const range of stanza.archives.flatMap((a) => a.unrecoverable)) {
      lines.push(`  recovery [${stanza.name}] ${range.message}`);
    }
  }
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...report.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  for (const finding of sorted.slice(0, maxFindings)) {
    lines.push(
      `  ${finding.severity} ${finding.code}${finding.stanza ? ` [${finding.stanza}]` : ''}: ${finding.message}`,
    );
  }
  if (sorted.length > maxFindings) lines.push(`  … and ${sorted.length - maxFindings} more finding(s)`);
  lines.push(
    `  cost: ${formatBytes(report.cost.bytes)} ≈ ${report.cost.currency} ${report.cost.monthly.toFixed(2)}/month (${report.cost.assumption})`,
  );
  for (const stanza of report.stanzas) {
    const e = stanza.cost.estimate;
    if (!e) continue;
    const money = (value: number) => `${e.currency} ${value.toFixed(2)}`;
    lines.push(
      `  cost estimate [${stanza.name}] ${e.region}: ${money(e.monthly)}/month = storage ${money(e.storage.monthly)} + requests ${money(e.requests.monthly)} (${e.requests.walPuts} WAL PUTs at ${e.walSegmentsPerDay.toFixed(1)}/day, ${e.requests.backupPuts} backup PUTs, ${e.requests.verificationLists} verification LISTs, ${e.requests.verificationGets} GETs); one full restore out of the region ${money(e.restoreEgress.cost)} (${formatBytes(e.restoreEgress.bytes)})`,
      `    prices: ${e.priceSource}, as of ${e.pricesAsOf}`,
      ...e.notes.map((note) => `    ${note}`),
    );
  }
  return lines.join('\n');
}
