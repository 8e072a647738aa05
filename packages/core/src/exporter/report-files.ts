import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type DrillMetricValues, type DrillReport, drillMetricValues, lastDrillSuccess } from '../drill/report.js';

/** What the exporter shows of the newest restore drill of a stanza. */
export interface DrillFacts {
  readonly repo: string | undefined;
  readonly values: DrillMetricValues;
  /** Unix seconds the newest drill finished, proven or not (known from a JSON report only). */
  readonly finishedAt: number | undefined;
}

/** What the exporter shows of the newest deep verification of a stanza's repository (a verify-s3/verify-repo report). */
export interface VerifyFacts {
  /** Unix seconds the report was generated. */
  readonly generatedAt: number;
  readonly outcome: 'ok' | 'findings' | 'unverified';
  readonly deep: boolean;
  readonly findings: { readonly error: number; readonly warning: number; readonly info: number };
  readonly backups: number;
  readonly restorable: number;
  readonly unrestorable: number;
  readonly bytes: number;
  /** Monthly cost by component, in `currency`. */
  readonly cost:
    | {
        readonly currency: string;
        readonly components: Readonly<Record<string, number>>;
        /** Egress cost of one full restore out of the region, when the report estimates it. */
        readonly restoreEgress?: number;
      }
    | undefined;
}

/** A report file that cannot be read or is not the report it should be. */
export class ReportFileError extends Error {
  override readonly name = 'ReportFileError';
}

const OUTCOMES = ['ok', 'findings', 'unverified'] as const;

/** The file itself, or the newest `.json`/`.prom` file in it when `path` is a directory (ties: the last name). */
async function newestFile(path: string): Promise<string> {
  const info = await stat(path);
  if (!info.isDirectory()) return path;
  let newest: { path: string; mtime: number } | undefined;
  for (const name of await readdir(path)) {
    if (!/\.(json|prom)$/.test(name)) continue;
    const file = join(path, name);
    const entry = await stat(file);
    const newer = !newest || entry.mtimeMs > newest.mtime || (entry.mtimeMs === newest.mtime && file > newest.path);
    if (entry.isFile() && newer) newest = { path: file, mtime: entry.mtimeMs };
  }
  if (!newest) throw new ReportFileError(`${path}: no .json or .prom report in the directory`);
  return newest.path;
}

async function readReport(path: string): Promise<{ file: string; text: string }> {
  try {
    const file = await newestFile(path);
    return { file, text: await readFile(file, 'utf8') };
  } catch (error) {
    if (error instanceof ReportFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ReportFileError(`${path}: cannot read the report (${code})`, { cause: error });
  }
}

function unwrap(document: unknown): Record<string, unknown> | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const record = document as Record<string, unknown>;
  if ('result' in record && typeof record['result'] === 'object' && record['result'] !== null)
    return record['result'] as Record<string, unknown>;
  return record;
}

/**
 * Parses what a drill wrote (its JSON report, the CLI's `--json` envelope around it, or its Prometheus textfile) into
 * the facts the exporter shows for `stanza`; undefined when the file is about other stanzas.
 *
 * @example
 * parseDrillFacts(readFileSync('/var/lib/chronos/drill.json', 'utf8'), 'main')?.values.lastSuccess;
 */
export function parseDrillFacts(text: string, stanza: string, file = 'drill report'): DrillFacts | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let report: Record<string, unknown> | undefined;
    try {
      report = unwrap(JSON.parse(trimmed));
    } catch {
      throw new ReportFileError(`${file}: not JSON`);
    }
    if (report?.['kind'] !== 'chronos-restore-drill') throw new ReportFileError(`${file}: not a restore drill report`);
    const drill = report as unknown as DrillReport;
    if (drill.stanza !== stanza) return undefined;
    return {
      repo: String(drill.repo),
      values: drillMetricValues(drill),
      finishedAt: Math.floor(Date.parse(drill.finishedAt) / 1000),
    };
  }
  const last = lastDrillSuccess(trimmed, { stanza });
  const value = (name: string): number | undefined => {
    for (const line of trimmed.split('\n')) {
      const match = new RegExp(`^${name}\\{([^}]*)\\}\\s+(\\S+)`).exec(line);
      if (match?.[1]?.includes(`stanza="${stanza}"`)) return Number(match[2]);
    }
    return undefined;
  };
  const checksFailed = value('chronos_drill_checks_failed');
  if (checksFailed === undefined && last === null) return undefined;
  const rpo = value('chronos_drill_rpo_seconds');
  const repo = /repo="([^"]*)"/.exec(trimmed.split('\n').find((l) => l.includes(`stanza="${stanza}"`)) ?? '')?.[1];
  return {
    repo,
    values: {
      ...(last === null ? {} : { lastSuccess: last.getTime() / 1000 }),
      durationSeconds: value('chronos_drill_duration_seconds') ?? 0,
      ...(rpo === undefined ? {} : { rpoSeconds: rpo }),
      checksFailed: checksFailed ?? 0,
    },
    finishedAt: undefined,
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * Parses a verify-s3 / verify-repo JSON report (or the CLI's `--json` envelope around it) into the facts the exporter
 * shows for `stanza`; undefined when the report does not cover that stanza.
 *
 * @example
 * parseVerifyFacts(readFileSync('/var/lib/chronos/verify.json', 'utf8'), 'main')?.outcome; // 'ok'
 */
export function parseVerifyFacts(text: string, stanza: string, file = 'verify report'): VerifyFacts | undefined {
  let report: Record<string, unknown> | undefined;
  try {
    report = unwrap(JSON.parse(text));
  } catch {
    throw new ReportFileError(`${file}: not JSON`);
  }
  const generatedAt = Date.parse(String(report?.['generatedAt']));
  const outcome = report?.['outcome'];
  if (!report || !Array.isArray(report['stanzas']) || Number.isNaN(generatedAt) || !OUTCOMES.includes(outcome as never))
    throw new ReportFileError(`${file}: not a verify-s3 or verify-repo report`);
  const part = (report['stanzas'] as Record<string, unknown>[]).find((s) => s['name'] === stanza);
  if (!part) return undefined;
  const findings = { error: 0, warning: 0, info: 0 };
  for (const finding of Array.isArray(report['findings']) ? (report['findings'] as Record<string, unknown>[]) : []) {
    if (finding['stanza'] !== undefined && finding['stanza'] !== stanza) continue;
    const severity = finding['severity'];
    if (severity === 'error' || severity === 'warning' || severity === 'info') findings[severity] += 1;
  }
  const backups = Array.isArray(part['backups']) ? (part['backups'] as Record<string, unknown>[]) : [];
  const cost = part['cost'] as Record<string, unknown> | undefined;
  const total = report['cost'] as Record<string, unknown> | undefined;
  const estimate = cost?.['estimate'] as Record<string, unknown> | undefined;
  const components: Record<string, number> = {};
  let restoreEgress: number | undefined;
  if (estimate && typeof estimate === 'object') {
    for (const name of ['storage', 'requests'] as const) {
      const value = (estimate[name] as Record<string, unknown> | undefined)?.['monthly'];
      if (typeof value === 'number') components[name] = value;
    }
    const egress = (estimate['restoreEgress'] as Record<string, unknown> | undefined)?.['cost'];
    if (typeof egress === 'number') restoreEgress = egress;
  } else if (typeof cost?.['monthly'] === 'number') {
    components['storage'] = cost['monthly'];
  }
  const currency = typeof estimate?.['currency'] === 'string' ? estimate['currency'] : total?.['currency'];
  return {
    generatedAt: generatedAt / 1000,
    outcome: outcome as VerifyFacts['outcome'],
    deep: (report['settings'] as Record<string, unknown> | undefined)?.['deep'] === true,
    findings,
    backups: backups.length,
    restorable: backups.filter((b) => b['restorable'] === true).length,
    unrestorable: backups.filter((b) => b['restorable'] === false).length,
    bytes: count(part['bytes']),
    cost:
      typeof currency === 'string' && Object.keys(components).length > 0
        ? { currency, components, ...(restoreEgress === undefined ? {} : { restoreEgress }) }
        : undefined,
  };
}

/**
 * Reads the newest drill report or textfile at `path` (a file, or a directory of them).
 *
 * @example
 * await readDrillFacts('/var/lib/chronos/drills', 'main');
 */
export async function readDrillFacts(path: string, stanza: string): Promise<DrillFacts | undefined> {
  const { file, text } = await readReport(path);
  return parseDrillFacts(text, stanza, file);
}

/**
 * Reads the newest verify-s3 / verify-repo JSON report at `path` (a file, or a directory of them).
 *
 * @example
 * await readVerifyFacts('/var/lib/chronos/verify.json', 'main');
 */
export async function readVerifyFacts(path: string, stanza: string): Promise<VerifyFacts | undefined> {
  const { file, text } = await readReport(path);
  return parseVerifyFacts(text, stanza, file);
}
