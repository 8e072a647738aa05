import type { BackupInfo, Info, StanzaInfo } from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { loadInfo } from '../info-source.js';
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

/** `chronos info`: the info document, as tables or as JSON. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const info: Info = await loadInfo(options, context);
  const text =
    info.length === 0 ? 'no stanzas in the repository' : info.map((s) => renderStanza(s, context.colours)).join('\n\n');
  return { exitCode: ExitCode.Ok, result: info, text };
}
