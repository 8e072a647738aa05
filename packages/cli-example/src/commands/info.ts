import type { BackupInfo, StanzaInfo, StanzaProgressInfo } from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { loadInfoDocument } from '../info-source.js';
import type { Colours } from '../output/colour.js';
import { renderTable } from '../output/table.js';
import { formatBytes, formatDuration, formatEpoch } from '../output/units.js';

function backupRows(backups: readonly BackupInfo[]): string[][] {
  return [
    ['label', 'type', 'repo', 'stop (UTC)', 'duration', 'size', 'repo size', 'WAL start', 'WAL stop', 'error'],
    ...backups.map((b) => [
      b.label,
      b.type,
      String(b.database['repo-key'] ?? ''),
      formatEpoch(b.timestamp.stop),
      formatDuration(b.timestamp.stop - b.timestamp.start),
      formatBytes(b.info.size),
      b.info.repository.size === undefined ? '-' : formatBytes(b.info.repository.size),
      b.archive.start ?? '-',
      b.archive.stop ?? '-',
      b.error === true ? 'yes' : '',
    ]),
  ];
}

/**
 * Renders one stanza of an info document for people.
 *
 * @example
 * ```ts
 * renderStanza(info[0], colours);
 * ```
 */
export function renderStanza(stanza: StanzaInfo, c: Colours): string {
  const ok = stanza.status.code === 0;
  const lines = [
    `${c.bold(`stanza ${stanza.name}`)}  status ${ok ? c.green(stanza.status.message) : c.red(`${stanza.status.code} ${stanza.status.message}`)}  cipher ${stanza.cipher}`,
  ];
  for (const repo of stanza.repo ?? []) {
    const repoOk = repo.status.code === 0;
    lines.push(
      `  repo${repo.key}: ${repoOk ? 'ok' : c.red(`${repo.status.code} ${repo.status.message}`)}, cipher ${repo.cipher}`,
    );
  }
  for (const db of stanza.db) {
    lines.push(
      `  db ${db.id}${db['repo-key'] === undefined ? '' : ` (repo${db['repo-key']})`}: PostgreSQL ${db.version}, system id ${db['system-id']}`,
    );
  }
  if (stanza.archive.length > 0) {
    lines.push(
      '',
      renderTable([
        ['archive', 'repo', 'db', 'min', 'max'],
        ...stanza.archive.map((a) => [
          a.id,
          String(a.database['repo-key'] ?? ''),
          String(a.database.id),
          a.min ?? '-',
          a.max ?? '-',
        ]),
      ])
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  lines.push(
    '',
    stanza.backup.length === 0
      ? '  no backups'
      : renderTable(backupRows(stanza.backup))
          .split('\n')
          .map((line) => `  ${line}`)
          .join('\n'),
  );
  return lines.join('\n');
}

function lockText(
  name: string,
  lock: { held: boolean; size?: number | undefined; 'size-cplt'?: number | undefined } | undefined,
): string {
  if (!lock?.held) return `${name} not running`;
  if (lock.size === undefined || lock['size-cplt'] === undefined) return `${name} running`;
  return `${name} running: ${formatBytes(lock['size-cplt'])} of ${formatBytes(lock.size)}`;
}

/**
 * Renders one stanza of `info --detail-level=progress` output for people: status and locks.
 *
 * @example
 * ```ts
 * renderProgressStanza(progress[0], colours);
 * ```
 */
export function renderProgressStanza(stanza: StanzaProgressInfo, c: Colours): string {
  const ok = stanza.status.code === 0;
  const lock = stanza.status.lock;
  const lines = [
    `${c.bold(`stanza ${stanza.name}`)}  status ${ok ? c.green(stanza.status.message) : c.red(`${stanza.status.code} ${stanza.status.message}`)}  (progress only)`,
    `  ${lockText('backup', lock?.backup)}`,
  ];
  for (const repo of lock?.backup.repo ?? []) {
    if (repo.size !== undefined && repo['size-cplt'] !== undefined) {
      lines.push(`    repo${repo.key}: ${formatBytes(repo['size-cplt'])} of ${formatBytes(repo.size)}`);
    }
  }
  lines.push(`  ${lockText('restore', lock?.restore)}`);
  return lines.join('\n');
}

/** `chronos info`: the info document (full, or progress-mode output read from a file), as tables or as JSON. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const document = await loadInfoDocument(options, context);
  return {
    exitCode: ExitCode.Ok,
    result: document.info,
    // Rendered only when printed: `--json` prints the result alone.
    get text() {
      if (document.info.length === 0) return 'no stanzas in the repository';
      return document.detailLevel === 'progress'
        ? document.info.map((s) => renderProgressStanza(s, context.colours)).join('\n\n')
        : document.info.map((s) => renderStanza(s, context.colours)).join('\n\n');
    },
  };
}
