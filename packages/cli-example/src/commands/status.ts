import {
  type AnalyzedBackup,
  analyzeInfo,
  analyzeProgress,
  type OperationProgress,
  type StanzaAnalysis,
  type StanzaProgress,
} from '@chronos/pgbackrest';
import type { CommandContext, CommandOutcome } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { loadInfoDocument } from '../info-source.js';
import { parseInstant } from '../input.js';
import type { Colours } from '../output/colour.js';
import { renderTable } from '../output/table.js';
import { formatBytes, formatDuration } from '../output/units.js';

const TYPES = ['full', 'diff', 'incr'] as const;

function latestOf(stanza: StanzaAnalysis, type: (typeof TYPES)[number]): AnalyzedBackup | undefined {
  let newest: AnalyzedBackup | undefined;
  for (const repo of stanza.repositories) {
    const candidate = repo.latest[type];
    if (candidate !== undefined && (newest === undefined || candidate.stoppedAt > newest.stoppedAt)) newest = candidate;
  }
  return newest;
}

function progressJson(progress: OperationProgress) {
  return {
    running: progress.running,
    totalBytes: progress.totalBytes ?? null,
    completedBytes: progress.completedBytes ?? null,
    fraction: progress.fraction ?? null,
  };
}

/** The stable JSON shape of one stanza in `chronos status --json`. */
export function stanzaStatusJson(stanza: StanzaAnalysis) {
  const latest: Record<string, { label: string; repo: number; stop: string; ageSeconds: number } | null> = {};
  for (const type of TYPES) {
    const b = latestOf(stanza, type);
    latest[type] =
      b === undefined
        ? null
        : { label: b.label, repo: b.repoKey, stop: b.stoppedAt.toISOString(), ageSeconds: b.ageSeconds };
  }
  return {
    name: stanza.name,
    status: { code: stanza.status.code, message: stanza.status.message, ok: stanza.status.ok },
    latest,
    repositories: stanza.repositories.map((r) => ({
      key: r.key,
      ok: r.status?.ok ?? true,
      backups: r.backups.length,
      errorBackups: r.errorBackups.map((b) => b.label),
      recoveryWindow: {
        earliest: r.recoveryWindow.earliest?.toISOString() ?? null,
        latestBackupStop: r.recoveryWindow.latestBackupStop?.toISOString() ?? null,
        newestWal: r.recoveryWindow.newestWal,
      },
    })),
    recoveryWindow: {
      earliest: stanza.recoveryWindow.earliest?.toISOString() ?? null,
      latestBackupStop: stanza.recoveryWindow.latestBackupStop?.toISOString() ?? null,
      newestWal: stanza.recoveryWindow.newestWal,
    },
    backup: progressJson(stanza.backup),
    restore: progressJson(stanza.restore),
  };
}

function progressText(label: string, progress: OperationProgress): string | undefined {
  if (!progress.running) return undefined;
  if (progress.totalBytes !== undefined && progress.completedBytes !== undefined) {
    const pct = progress.fraction === undefined ? '' : ` (${(progress.fraction * 100).toFixed(1)}%)`;
    return `  ${label} running: ${formatBytes(progress.completedBytes)} of ${formatBytes(progress.totalBytes)}${pct}`;
  }
  return `  ${label} running (this pgBackRest version reports no progress)`;
}

/** The stable JSON shape of one stanza in `chronos status --json` when the info was progress-mode output. */
export function stanzaProgressJson(stanza: StanzaProgress) {
  return {
    name: stanza.name,
    status: { code: stanza.status.code, message: stanza.status.message, ok: stanza.status.ok },
    backup: progressJson(stanza.backup),
    restore: progressJson(stanza.restore),
  };
}

/** Renders one stanza of progress-mode info for people: its status and what runs. */
export function renderProgressStatus(stanza: StanzaProgress, c: Colours): string {
  const lines = [
    `${c.bold(`stanza ${stanza.name}`)}  ${stanza.status.ok ? c.green('ok') : c.red(`${stanza.status.code} ${stanza.status.message}`)}`,
  ];
  const running = [progressText('backup', stanza.backup), progressText('restore', stanza.restore)].filter(
    (line): line is string => line !== undefined,
  );
  lines.push(...(running.length === 0 ? ['  no backup or restore running'] : running));
  return lines.join('\n');
}

/** Renders one analysed stanza for people. */
export function renderStatus(stanza: StanzaAnalysis, c: Colours): string {
  const lines = [
    `${c.bold(`stanza ${stanza.name}`)}  ${stanza.status.ok ? c.green('ok') : c.red(`${stanza.status.code} ${stanza.status.message}`)}`,
  ];
  const rows = [['type', 'latest', 'repo', 'stopped (UTC)', 'age']];
  for (const type of TYPES) {
    const b = latestOf(stanza, type);
    rows.push(
      b === undefined
        ? [type, '-', '', '', '']
        : [type, b.label, String(b.repoKey), b.stoppedAt.toISOString(), formatDuration(b.ageSeconds)],
    );
  }
  lines.push(
    renderTable(rows)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  const w = stanza.recoveryWindow;
  lines.push(
    w.earliest === undefined
      ? c.yellow('  recovery window: none (no consistent backup)')
      : `  recovery window: ${w.earliest.toISOString()} → ${w.latestBackupStop?.toISOString() ?? '?'} (backups)` +
          (w.newestWal === null ? '' : `, WAL archived up to ${w.newestWal}`),
  );
  for (const repo of stanza.repositories) {
    if (repo.status !== undefined && !repo.status.ok) lines.push(c.red(`  repo${repo.key}: ${repo.status.message}`));
    if (repo.errorBackups.length > 0) {
      lines.push(
        c.yellow(`  repo${repo.key}: backups with page errors: ${repo.errorBackups.map((b) => b.label).join(', ')}`),
      );
    }
  }
  for (const line of [progressText('backup', stanza.backup), progressText('restore', stanza.restore)]) {
    if (line !== undefined) lines.push(line);
  }
  return lines.join('\n');
}

/** `chronos status`: what an operator asks first. Exit 1 when a stanza or repository is not ok. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const now = typeof options['now'] === 'string' ? parseInstant(options['now'], '--now') : new Date();
  const document = await loadInfoDocument(options, context, { progress: options['progress'] === true });
  if (document.detailLevel === 'progress') {
    const { stanzas } = analyzeProgress(document.info);
    return {
      exitCode: stanzas.every((s) => s.status.ok) ? ExitCode.Ok : ExitCode.Findings,
      result: { now: now.toISOString(), detailLevel: 'progress', stanzas: stanzas.map(stanzaProgressJson) },
      text:
        stanzas.length === 0
          ? 'no stanzas in the repository'
          : stanzas.map((s) => renderProgressStatus(s, context.colours)).join('\n\n'),
    };
  }
  const analysis = analyzeInfo(document.info, { now });
  const healthy = analysis.stanzas.every((s) => s.status.ok && s.repositories.every((r) => r.status?.ok ?? true));
  return {
    exitCode: healthy ? ExitCode.Ok : ExitCode.Findings,
    result: { now: now.toISOString(), detailLevel: 'full', stanzas: analysis.stanzas.map(stanzaStatusJson) },
    text:
      analysis.stanzas.length === 0
        ? 'no stanzas in the repository'
        : analysis.stanzas.map((s) => renderStatus(s, context.colours)).join('\n\n'),
  };
}
