import type { StanzaReport } from './report.js';

/** S3 Standard list prices of one region, in USD. */
export interface RegionPrices {
  /** Storage per GB-month (GB = 2^30 bytes), first tier. */
  readonly storagePerGibMonth: number;
  /** PUT, COPY, POST and LIST requests, per 1,000. */
  readonly putPer1000: number;
  /** GET and other read requests, per 1,000. */
  readonly getPer1000: number;
  /** Data transfer out to the internet per GB, first paid tier. */
  readonly egressPerGib: number;
}

/** The price table as data: where the prices come from, when they were read, and the prices per region. */
export const S3_PRICE_TABLE = {
  source: 'Amazon S3 pricing, https://aws.amazon.com/s3/pricing/ (S3 Standard, first tiers, on-demand)',
  asOf: '2024-06-01',
  currency: 'USD',
  regions: {
    'ca-central-1': { storagePerGibMonth: 0.025, putPer1000: 0.0055, getPer1000: 0.00044, egressPerGib: 0.09 },
    'us-east-1': { storagePerGibMonth: 0.023, putPer1000: 0.005, getPer1000: 0.0004, egressPerGib: 0.09 },
    'us-west-2': { storagePerGibMonth: 0.023, putPer1000: 0.005, getPer1000: 0.0004, egressPerGib: 0.09 },
    'eu-west-1': { storagePerGibMonth: 0.023, putPer1000: 0.005, getPer1000: 0.0004, egressPerGib: 0.09 },
    'eu-central-1': { storagePerGibMonth: 0.0245, putPer1000: 0.0054, getPer1000: 0.00043, egressPerGib: 0.09 },
    'ap-southeast-2': { storagePerGibMonth: 0.025, putPer1000: 0.0055, getPer1000: 0.00044, egressPerGib: 0.114 },
  },
} as const satisfies {
  source: string;
  asOf: string;
  currency: string;
  regions: Record<string, RegionPrices>;
};

/** What the estimate is computed from: one stanza's objects in the repository. */
export interface RepositoryUsage {
  readonly bytes: number;
  readonly objects: number;
  /** WAL segments in the archive. */
  readonly walSegments: number;
  /** Backups with their label (`20261124-063659F`, `…F_20261124-063714D`), type, objects and bytes. */
  readonly backups: readonly {
    readonly label: string;
    readonly type: string | null;
    readonly objects: number;
    readonly bytes: number;
  }[];
}

/** Options of {@link estimateCost}. */
export interface CostEstimateOptions {
  /** Region whose prices apply; one of {@link S3_PRICE_TABLE}'s. */
  readonly region: string;
  /** Verification runs a month (each lists the repository and reads its info files and manifests); default 30. */
  readonly verificationsPerMonth?: number;
  /** Whether those runs are deep (read every object); default false. */
  readonly deepVerification?: boolean;
}

/** The estimate: monthly storage and requests, and the egress of one full restore. */
export interface CostEstimate {
  readonly region: string;
  readonly currency: string;
  readonly priceSource: string;
  readonly pricesAsOf: string;
  /** Seconds between the oldest and the newest backup: what the rates below were observed over. */
  readonly observedSeconds: number;
  readonly walSegmentsPerDay: number;
  readonly backupsPerDay: number;
  readonly storage: { readonly bytes: number; readonly monthly: number };
  readonly requests: {
    readonly walPuts: number;
    readonly backupPuts: number;
    readonly verificationLists: number;
    readonly verificationGets: number;
    readonly monthly: number;
  };
  /** One restore of the newest backup (its full and the newest backup on top of it) out of the region. */
  readonly restoreEgress: { readonly bytes: number; readonly cost: number };
  readonly monthly: number;
  /** What the estimate leaves out or could not observe. */
  readonly notes: readonly string[];
}

/** A region without prices in the table. */
export class UnknownRegionError extends Error {
  override readonly name = 'UnknownRegionError';
}

const GIB = 1024 ** 3;
const DAY = 86_400;
const MONTH_DAYS = 30;

const LEFT_OUT = [
  'multipart uploads (a WAL segment or backup file above the upload chunk size costs several requests)',
  'expire deletes (free) and the LISTs pgBackRest itself makes (archive-push checks, expire, info)',
  'storage classes other than S3 Standard, minimum storage durations, tiered discounts and free tiers',
  'egress inside the region or to AWS services, and taxes',
];

/** Unix seconds a backup started, from the last part of its label (`YYYYMMDD-HHMMSS`, read as UTC). */
function labelTime(label: string): number | undefined {
  const match = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})[FDI]$/.exec(label);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) / 1000;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * Estimates the monthly cost of one stanza's repository on S3: stored bytes, requests (one PUT per archived WAL
 * segment at the rate observed between the oldest and the newest backup, one PUT per backup object at the observed
 * backup rate, the LISTs and GETs of verification) and the egress of one full restore, from {@link S3_PRICE_TABLE}.
 * What it leaves out is listed in `notes`.
 *
 * @throws UnknownRegionError when the table has no prices for the region.
 * @example
 * const estimate = estimateCost(usageOfStanza(report.stanzas[0]), { region: 'ca-central-1' });
 * console.log(estimate.monthly, estimate.notes);
 */
export function estimateCost(usage: RepositoryUsage, options: CostEstimateOptions): CostEstimate {
  const prices = (S3_PRICE_TABLE.regions as Record<string, RegionPrices>)[options.region];
  if (!prices)
    throw new UnknownRegionError(
      `no S3 prices for region ${options.region}: the table has ${Object.keys(S3_PRICE_TABLE.regions).join(', ')}`,
    );
  const notes: string[] = [];
  const times = usage.backups.map((b) => labelTime(b.label)).filter((t): t is number => t !== undefined);
  const observedSeconds = times.length > 1 ? Math.max(...times) - Math.min(...times) : 0;
  let walSegmentsPerDay = 0;
  let backupsPerDay = 0;
  if (observedSeconds > 0) {
    walSegmentsPerDay = (usage.walSegments / observedSeconds) * DAY;
    backupsPerDay = ((usage.backups.length - 1) / observedSeconds) * DAY;
    if (observedSeconds < DAY)
      notes.push(
        `rates observed over ${Math.round(observedSeconds)} s only (between the oldest and newest backup): the monthly request cost extrapolates them`,
      );
  } else {
    notes.push('one backup or none: no WAL or backup rate could be observed, so WAL and backup requests count as 0');
  }
  const objectsPerBackup =
    usage.backups.length === 0 ? 0 : usage.backups.reduce((n, b) => n + b.objects, 0) / usage.backups.length;
  const runs = options.verificationsPerMonth ?? 30;
  const walPuts = walSegmentsPerDay * MONTH_DAYS;
  const backupPuts = backupsPerDay * MONTH_DAYS * objectsPerBackup;
  const verificationLists = runs * (Math.ceil(usage.objects / 1000) + 4 + usage.backups.length);
  const verificationGets = runs * (options.deepVerification ? usage.objects : 4 + 2 * usage.backups.length);
  const requestsMonthly =
    ((walPuts + backupPuts + verificationLists) / 1000) * prices.putPer1000 +
    (verificationGets / 1000) * prices.getPer1000;
  const storageMonthly = (usage.bytes / GIB) * prices.storagePerGibMonth;

  const fulls = usage.backups.filter((b) => /F$/.test(b.label));
  const newestFull = fulls.reduce<(typeof fulls)[number] | undefined>(
    (best, b) => (best === undefined || (labelTime(b.label) ?? 0) > (labelTime(best.label) ?? 0) ? b : best),
    undefined,
  );
  let restoreBytes = 0;
  if (newestFull) {
    const onTop = usage.backups
      .filter((b) => b.label.startsWith(`${newestFull.label}_`))
      .reduce<(typeof usage.backups)[number] | undefined>(
        (best, b) => (best === undefined || (labelTime(b.label) ?? 0) > (labelTime(best.label) ?? 0) ? b : best),
        undefined,
      );
    restoreBytes = newestFull.bytes + (onTop?.bytes ?? 0);
    notes.push(
      'restore egress counts the newest full backup and the newest backup on top of it, not the WAL replayed after it nor intermediate incrementals',
    );
  } else {
    notes.push('no full backup: no restore egress estimated');
  }
  notes.push(...LEFT_OUT.map((item) => `left out: ${item}`));
  return {
    region: options.region,
    currency: S3_PRICE_TABLE.currency,
    priceSource: S3_PRICE_TABLE.source,
    pricesAsOf: S3_PRICE_TABLE.asOf,
    observedSeconds,
    walSegmentsPerDay: round(walSegmentsPerDay),
    backupsPerDay: round(backupsPerDay),
    storage: { bytes: usage.bytes, monthly: round(storageMonthly) },
    requests: {
      walPuts: Math.round(walPuts),
      backupPuts: Math.round(backupPuts),
      verificationLists: Math.round(verificationLists),
      verificationGets: Math.round(verificationGets),
      monthly: round(requestsMonthly),
    },
    restoreEgress: { bytes: restoreBytes, cost: round((restoreBytes / GIB) * prices.egressPerGib) },
    monthly: round(storageMonthly + requestsMonthly),
    notes,
  };
}

/**
 * The usage of one stanza from a listing of the repository's objects (keys relative to the repository path).
 *
 * @example
 * usageFromListing([{ key: 'backup/main/20261124-063659F/backup.manifest', size: 1234 }], 'main');
 */
export function usageFromListing(
  objects: readonly { readonly key: string; readonly size: number }[],
  stanza: string,
): RepositoryUsage {
  let bytes = 0;
  let count = 0;
  let walSegments = 0;
  const backups = new Map<string, { label: string; type: string | null; objects: number; bytes: number }>();
  for (const { key, size } of objects) {
    const parts = key.replace(/^\/+/, '').split('/');
    if (parts[1] !== stanza || (parts[0] !== 'archive' && parts[0] !== 'backup')) continue;
    bytes += size;
    count += 1;
    const name = parts.at(-1) ?? '';
    if (parts[0] === 'archive' && /^[0-9A-F]{24}-[0-9a-f]{40}/.test(name)) walSegments += 1;
    const label = parts[2] ?? '';
    if (parts[0] === 'backup' && labelTime(label) !== undefined) {
      const type = label.endsWith('F') ? 'full' : label.endsWith('D') ? 'diff' : 'incr';
      const entry = backups.get(label) ?? { label, type, objects: 0, bytes: 0 };
      entry.objects += 1;
      entry.bytes += size;
      backups.set(label, entry);
    }
  }
  return { bytes, objects: count, walSegments, backups: [...backups.values()] };
}

/**
 * The usage of one stanza as a verification report states it.
 *
 * @example
 * usageFromReport(report.stanzas[0]);
 */
export function usageFromReport(stanza: StanzaReport): RepositoryUsage {
  return {
    bytes: stanza.bytes,
    objects: stanza.objects,
    walSegments: stanza.archives.reduce((n, a) => n + a.timelines.reduce((m, t) => m + t.segments, 0), 0),
    backups: stanza.backups.map((b) => ({ label: b.label, type: b.type, objects: b.objects, bytes: b.bytes })),
  };
}

/**
 * The stanza's report with its cost estimate for the region (null when the price table lacks the region).
 *
 * @example
 * withCostEstimate(report.stanzas[0], 'ca-central-1', false).cost.estimate?.monthly;
 */
export function withCostEstimate(stanza: StanzaReport, region: string, deep: boolean): StanzaReport {
  if (!(region in S3_PRICE_TABLE.regions)) return { ...stanza, cost: { ...stanza.cost, estimate: null } };
  const estimate = estimateCost(usageFromReport(stanza), { region, deepVerification: deep });
  return {
    ...stanza,
    cost: {
      ...stanza.cost,
      estimate: { ...estimate, notes: [...estimate.notes] },
    },
  };
}
