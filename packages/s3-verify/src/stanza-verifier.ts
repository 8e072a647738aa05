import { setMaxListeners } from 'node:events';
import { ArchiveScan } from './archive-scan.js';
import { backupEntries, missingReferences } from './backup-entries.js';
import { decryptFile, isSalted, WrongPassphraseError } from './cipher.js';
import type { DecodePool } from './decode-pool.js';
import { verifyBackupFiles } from './deep-backups.js';
import { verifyWalSegments } from './deep-wal.js';
import { checkTimelineHistories } from './history-check.js';
import { type InfoFile, InfoFileParseError, infoKeys, infoRawValue, infoValue, parseInfoFile } from './info-file.js';
import { checkInfoPair } from './info-pair.js';
import {
  findNewestRestorableInstant,
  type NewestInstantInput,
  type NewestRestorableInstant,
} from './newest-instant.js';
import { ObjectDecodeError, supportedCompressions } from './object-decoder.js';
import type { DeepProof } from './options.js';
import { forEachBounded, SharedLimit } from './pool.js';
import type { ProgressTracker } from './progress.js';
import type { ArchiveReport, BackupReport, Finding, StanzaReport } from './report.js';
import { reconcileBackups } from './restorability.js';
import { segmentSizeFromObjectSizes, segmentSizeFromRollover } from './segment-size.js';
import { SharedDecodes } from './shared-decodes.js';
import { listFolder, type RepositoryStorage } from './storage.js';
import { decodeStoredObject, objectsInFlight } from './stored-object.js';
import { parseTimelineHistory, type TimelineHistoryParseError, type TimelineSwitch } from './timeline-history.js';
import { analyzeArchiveWal, type BackupWal } from './wal-analysis.js';
import { headerFromStoredPrefix, readWalSegmentHeader } from './wal-header.js';

/** Settings a stanza check runs with (resolved defaults). */
const GIB = 1024 ** 3;

export interface StanzaCheckSettings {
  readonly prefix: string;
  readonly passphrase: string | undefined;
  readonly walSegmentSize: number | undefined;
  readonly graceMs: number;
  readonly inFlightSegments: number;
  readonly deep: boolean;
  /** Deep mode: what backup files with a stored checksum are proven by. */
  readonly deepProof?: DeepProof;
  /** Read the newest WAL records for the last commit and checkpoint. */
  readonly newestInstant?: boolean;
  readonly signal: AbortSignal | undefined;
  /** Deep mode: counts what is read. */
  readonly progress?: ProgressTracker | undefined;
  readonly now: number;
  readonly concurrency: number;
  /** Deep mode: worker threads that decode stored objects. */
  readonly pool?: DecodePool | undefined;
  readonly sampleSize: number;
  readonly pricePerGibMonth: number;
}

/** archive id (`<pg version>-<db id>`) per db id, from an info file's `[db:history]`. */
function archiveIds(info: InfoFile | undefined): Map<number, string> {
  const ids = new Map<number, string>();
  if (info === undefined) return ids;
  for (const key of infoKeys(info, 'db:history')) {
    const value = infoValue(info, 'db:history', key) as { 'db-version'?: string } | undefined;
    if (value?.['db-version'] !== undefined) ids.set(Number(key), `${value['db-version']}-${key}`);
  }
  return ids;
}

/**
 * Verifies one stanza: info files, backups and manifests, WAL continuity per archive id,
 * encryption of sampled objects, size and cost.
 *
 * @example
 * const { report, findings } = await verifyStanza(bucket, 'main', settings);
 */
export async function verifyStanza(
  bucket: RepositoryStorage,
  stanza: string,
  settings: StanzaCheckSettings,
): Promise<{ report: StanzaReport; findings: Finding[] }> {
  const findings: Finding[] = [];
  const archiveRoot = `${settings.prefix}archive/${stanza}/`;
  const backupRoot = `${settings.prefix}backup/${stanza}/`;
  let verified = true;

  const [archiveMain, archiveCopy, backupMain, backupCopy, archiveFolder, backupFolder] = await Promise.all([
    bucket.get(`${archiveRoot}archive.info`),
    bucket.get(`${archiveRoot}archive.info.copy`),
    bucket.get(`${backupRoot}backup.info`),
    bucket.get(`${backupRoot}backup.info.copy`),
    listFolder(bucket, archiveRoot),
    listFolder(bucket, backupRoot),
  ]);
  const archivePair = checkInfoPair(
    `${archiveRoot}archive.info`,
    archiveMain,
    archiveCopy,
    settings.passphrase,
    stanza,
  );
  const backupPair = checkInfoPair(`${backupRoot}backup.info`, backupMain, backupCopy, settings.passphrase, stanza);
  findings.push(...archivePair.findings, ...backupPair.findings);
  if (archivePair.info === undefined || backupPair.info === undefined) verified = false;
  const encrypted = archivePair.encrypted ?? backupPair.encrypted;

  const archiveInfo = archivePair.info;
  const backupInfo = backupPair.info;
  const systemId = archiveInfo !== undefined ? (infoRawValue(archiveInfo, 'db', 'db-system-id') ?? null) : null;
  const pgVersion = archiveInfo !== undefined ? ((infoValue(archiveInfo, 'db', 'db-version') as string) ?? null) : null;
  if (archiveInfo !== undefined && backupInfo !== undefined) {
    const backupSystemId = infoRawValue(backupInfo, 'db', 'db-system-id');
    const backupVersion = infoValue(backupInfo, 'db', 'db-version');
    if (backupSystemId !== systemId || backupVersion !== pgVersion) {
      findings.push({
        code: 'info-mismatch',
        severity: 'error',
        message: `archive.info (system ${systemId}, PostgreSQL ${pgVersion}) and backup.info (system ${backupSystemId}, PostgreSQL ${String(backupVersion)}) describe different databases`,
        stanza,
      });
    }
  }
  const walPassphrase =
    archiveInfo === undefined ? undefined : (infoValue(archiveInfo, 'cipher', 'cipher-pass') as string | undefined);
  const manifestPassphrase =
    backupInfo === undefined ? undefined : (infoValue(backupInfo, 'cipher', 'cipher-pass') as string | undefined);

  // Backups: folders, manifests, sizes.
  const entries = backupEntries(backupInfo);
  const listed = new Set(entries.map((e) => e.label));
  const labelPrefixes = backupFolder.prefixes.filter((p) =>
    /^\d{8}-\d{6}F(_\d{8}-\d{6}[DI])?\/$/.test(p.slice(backupRoot.length)),
  );
  const otherPrefixes = backupFolder.prefixes.filter((p) => !labelPrefixes.includes(p));
  const folders = new Map<string, { objects: number; bytes: number; manifest: boolean; manifestCopy: boolean }>();
  const dataSamples: string[] = [];
  let backupObjects = backupFolder.objects.length;
  let backupBytes = backupFolder.objects.reduce((sum, o) => sum + o.size, 0);
  const objectSizes = new Map<string, number>();
  await forEachBounded([...labelPrefixes, ...otherPrefixes], settings.concurrency, async (prefix) => {
    const label = prefix.slice(backupRoot.length, -1);
    const folder = { objects: 0, bytes: 0, manifest: false, manifestCopy: false };
    let sampled = false;
    for await (const page of bucket.list(prefix)) {
      for (const object of page.objects) {
        folder.objects++;
        folder.bytes += object.size;
        if (settings.deep) objectSizes.set(object.key, object.size);
        const name = object.key.slice(prefix.length);
        if (name === 'backup.manifest') folder.manifest = true;
        else if (name === 'backup.manifest.copy') folder.manifestCopy = true;
        else if (
          !sampled &&
          object.size > 0 &&
          name.startsWith('pg_data/') &&
          dataSamples.length < settings.sampleSize
        ) {
          sampled = true;
          dataSamples.push(object.key);
        }
      }
    }
    backupObjects += folder.objects;
    backupBytes += folder.bytes;
    if (labelPrefixes.includes(prefix)) folders.set(label, folder);
  });
  for (const label of folders.keys()) {
    if (backupInfo !== undefined && !listed.has(label)) {
      findings.push({
        code: 'backup-unlisted',
        severity: 'warning',
        message: `backup folder ${label} is not in backup.info (left over from an aborted or expired backup)`,
        stanza,
        where: { label, key: `${backupRoot}${label}/` },
      });
    }
  }
  findings.push(...missingReferences(entries, stanza));
  const backups: BackupReport[] = [];
  const manifestSamples: string[] = [];
  await forEachBounded(entries, settings.concurrency, async (entry) => {
    const folder = folders.get(entry.label);
    const key = `${backupRoot}${entry.label}/backup.manifest`;
    if (folder?.manifest !== true) {
      findings.push({
        code: 'backup-manifest-missing',
        severity: 'error',
        message: `backup ${entry.label} is in backup.info but its backup.manifest is missing: it cannot be restored`,
        stanza,
        where: { label: entry.label, key },
      });
    } else {
      manifestSamples.push(key);
      const problem = await checkManifest(bucket, key, manifestPassphrase, encrypted === true);
      if (problem !== undefined) {
        findings.push({
          code: 'backup-manifest-invalid',
          severity: 'error',
          message: problem,
          stanza,
          where: { label: entry.label, key },
        });
      }
    }
    if (folder?.manifestCopy !== true) {
      findings.push({
        code: 'backup-manifest-copy-missing',
        severity: folder?.manifest === true ? 'warning' : 'error',
        message: `backup ${entry.label} has no backup.manifest.copy`,
        stanza,
        where: { label: entry.label, key: `${key}.copy` },
      });
    }
  });
  for (const entry of entries) {
    const folder = folders.get(entry.label);
    backups.push({
      label: entry.label,
      type: entry.type,
      archiveId: null,
      walStart: entry.start,
      walStop: entry.stop,
      manifest: folder?.manifest ?? false,
      manifestCopy: folder?.manifestCopy ?? false,
      walComplete: null,
      restorable: null,
      reasons: [],
      objects: folder?.objects ?? 0,
      bytes: folder?.bytes ?? 0,
    });
  }

  // Archive: list every log folder of every archive id with a bounded pool.
  const onRead = settings.progress === undefined ? undefined : (bytes: number) => settings.progress!.read(bytes);
  // Deep mode: the backup files, the WAL segments and the newest-instant read run at once (the workers decode
  // one while this thread lists and reads the next); the first failure stops the others.
  const deepStop = new AbortController();
  const deepSignal =
    settings.signal === undefined ? deepStop.signal : AbortSignal.any([settings.signal, deepStop.signal]);
  // Every object being read listens to it (many queued to the workers at once on a local repository).
  setMaxListeners(0, deepSignal);
  const deepWork: Array<Promise<unknown>> = [];
  // The newest-instant read offers its decodes of the newest segments to the WAL check, which then skips them.
  const sharedDecodes = settings.deep ? new SharedDecodes() : undefined;
  // Backup files and WAL together read no more objects at once than `concurrency` (on a local repository the
  // workers read one file at a time each, so more may be queued to them).
  const reads = new SharedLimit(objectsInFlight(bucket, settings.pool, settings.concurrency));
  const startDeep = <T>(work: Promise<T>): Promise<T> => {
    work.catch((error: unknown) => deepStop.abort(error));
    deepWork.push(work);
    return work;
  };
  const filesCheck =
    settings.deep && !settings.signal?.aborted
      ? startDeep(
          verifyBackupFiles({
            storage: bucket,
            stanza,
            backupRoot,
            labels: entries.map((e) => e.label),
            proof: settings.deepProof ?? 'content',
            manifestPassphrase: encrypted === true ? manifestPassphrase : undefined,
            objectSizes,
            concurrency: settings.concurrency,
            pool: settings.pool,
            reads,
            signal: deepSignal,
            onRead,
            onTotal: (objects, bytes) => settings.progress?.addTotal(objects, bytes),
          }),
        )
      : undefined;

  const ids = archiveIds(archiveInfo ?? backupInfo);
  for (const backup of backups) {
    const entry = entries.find((e) => e.label === backup.label);
    backup.archiveId = entry?.dbId == null ? null : (ids.get(entry.dbId) ?? null);
  }
  const idPrefixes = archiveFolder.prefixes.filter((p) => /^\d+(\.\d+)?-\d+\/$/.test(p.slice(archiveRoot.length)));
  const scans = new Map<string, ArchiveScan>();
  const tasks: Array<{ scan: ArchiveScan; idPrefix: string; startAfter: string; stopAt: string | undefined }> = [];
  let archiveObjects = archiveFolder.objects.length;
  let archiveBytes = archiveFolder.objects.reduce((sum, o) => sum + o.size, 0);
  await forEachBounded(idPrefixes, settings.concurrency, async (idPrefix) => {
    const scan = new ArchiveScan(idPrefix.slice(archiveRoot.length, -1), settings.sampleSize);
    scans.set(scan.archiveId, scan);
    const folder = await listFolder(bucket, idPrefix);
    scan.addTopLevel(folder.objects);
    const logFolders = folder.prefixes.filter((p) => /^[0-9A-F]{16}\/$/.test(p.slice(idPrefix.length))).sort();
    // Contiguous ranges of log folders, listed flat (1000 keys a page) and concurrently.
    // Few enough that the last page of each range (which runs into the next) wastes little.
    const ranges = Math.min(Math.ceil(logFolders.length / 64), settings.concurrency * 2);
    for (let i = 0; i < ranges; i++) {
      const from = Math.floor((i * logFolders.length) / ranges);
      const to = Math.floor(((i + 1) * logFolders.length) / ranges);
      tasks.push({ scan, idPrefix, startAfter: logFolders[from]!, stopAt: logFolders[to] });
    }
  });
  await forEachBounded(tasks, settings.concurrency, async ({ scan, idPrefix, startAfter, stopAt }) => {
    const cursor = scan.cursor(idPrefix, startAfter);
    for await (const page of bucket.list(idPrefix, { startAfter })) {
      if (!cursor.add(page.objects, stopAt)) break;
    }
  });

  const archives: ArchiveReport[] = [];
  const walSamples: string[] = [];
  /** Each archive id's WAL check, with where its findings go among the others. */
  const walChecks: Array<{ at: number; check: ReturnType<typeof verifyWalSegments> }> = [];
  const instantInputs: NewestInstantInput[] = [];
  for (const scan of [...scans.values()].sort((a, b) => a.archiveId.localeCompare(b.archiveId))) {
    archiveObjects += scan.objects;
    archiveBytes += scan.bytes;
    walSamples.push(...scan.samples.map((s) => s.key));
    const histories = new Map<number, TimelineSwitch[]>();
    await forEachBounded([...scan.historyKeys], settings.concurrency, async ([timeline, key]) => {
      const bytes = await bucket.get(key);
      try {
        const text = bytes === undefined ? '' : readMaybeEncrypted(bytes, walPassphrase, key);
        histories.set(timeline, parseTimelineHistory(text));
      } catch (error) {
        const reason =
          error instanceof WrongPassphraseError ? 'cannot be decrypted' : (error as TimelineHistoryParseError).message;
        findings.push({
          code: 'wal-history-invalid',
          severity: 'error',
          message: `${key}: ${reason}`,
          stanza,
          where: { key, archiveId: scan.archiveId },
        });
      }
    });

    let segmentSize: ArchiveReport['segmentSize'] = { bytes: null, source: 'unknown' };
    if (settings.walSegmentSize !== undefined) segmentSize = { bytes: settings.walSegmentSize, source: 'option' };
    else {
      const fromHeader = await readSegmentSize(
        bucket,
        scan,
        encrypted === true ? walPassphrase : undefined,
        systemId,
        stanza,
        findings,
      );
      if (fromHeader !== undefined) segmentSize = { bytes: fromHeader, source: 'wal-header' };
      else {
        const fromSizes = encrypted === true ? undefined : segmentSizeFromObjectSizes(scan.plainSegmentSizes);
        const fromRollover = segmentSizeFromRollover(scan);
        if (fromSizes !== undefined) segmentSize = { bytes: fromSizes, source: 'object-size' };
        else if (fromRollover !== undefined) segmentSize = { bytes: fromRollover, source: 'listing' };
      }
    }

    const ownBackups: BackupWal[] = backups
      .filter((b) => b.archiveId === scan.archiveId)
      .map((b) => {
        const stopTime = entries.find((e) => e.label === b.label)?.stopTime;
        return {
          label: b.label,
          start: b.walStart,
          stop: b.walStop,
          stopTime: stopTime == null ? undefined : stopTime * 1000,
        };
      });
    const result = analyzeArchiveWal({
      stanza,
      scan,
      segmentSize: segmentSize.bytes ?? undefined,
      histories,
      backups: ownBackups,
      now: settings.now,
      graceMs: settings.graceMs,
      inFlightSegments: settings.inFlightSegments,
    });
    findings.push(...result.findings);
    findings.push(
      ...checkTimelineHistories({
        stanza,
        archiveId: scan.archiveId,
        histories,
        historyKeys: scan.historyKeys,
        firstSegments: firstSegments(scan, segmentSize.bytes),
        segmentSize: segmentSize.bytes ?? undefined,
        knownArchiveIds: archiveInfo === undefined ? undefined : new Set(archiveIds(archiveInfo).values()),
      }),
      ...unknownCompressionFindings(scan, stanza),
    );
    if (!result.complete && segmentSize.bytes === null) verified = false;
    for (const [label, complete] of result.backupWalComplete) {
      const backup = backups.find((b) => b.label === label);
      if (backup !== undefined) backup.walComplete = complete;
    }
    if (settings.deep && !settings.signal?.aborted) {
      settings.progress?.addTotal(scan.segments, scan.segmentBytes);
      const check = verifyWalSegments({
        storage: bucket,
        stanza,
        archiveId: scan.archiveId,
        idPrefix: `${archiveRoot}${scan.archiveId}/`,
        segmentSize: segmentSize.bytes ?? undefined,
        pgVersion: scan.archiveId.slice(0, scan.archiveId.lastIndexOf('-')),
        walPassphrase: encrypted === true ? walPassphrase : undefined,
        backups: ownBackups,
        concurrency: settings.concurrency,
        pool: settings.pool,
        reads,
        signal: deepSignal,
        shared: sharedDecodes,
        onRead,
      });
      walChecks.push({ at: findings.length, check: startDeep(check) });
    }
    if ((settings.newestInstant ?? settings.deep) && !settings.signal?.aborted) {
      instantInputs.push({
        storage: bucket,
        archiveId: scan.archiveId,
        idPrefix: `${archiveRoot}${scan.archiveId}/`,
        timelines: result.timelines,
        segmentSize: segmentSize.bytes ?? undefined,
        walPassphrase: encrypted === true ? walPassphrase : undefined,
        signal: settings.signal,
        pool: settings.pool,
        shared: sharedDecodes,
      });
    }
    archives.push({
      archiveId: scan.archiveId,
      segmentSize,
      timelines: result.timelines,
      checked: result.checked,
      unrecoverable: result.unrecoverable,
      objects: scan.objects,
      bytes: scan.bytes,
    });
  }
  const dbId = (archiveId: string) => Number(archiveId.slice(archiveId.lastIndexOf('-') + 1));
  const currentArchive = instantInputs.sort((a, b) => dbId(b.archiveId) - dbId(a.archiveId))[0];
  // It reads WAL only: it runs while the backup files and the WAL are decoded in the workers.
  const instant: Promise<{ value: NewestRestorableInstant | null } | { error: unknown }> =
    currentArchive === undefined
      ? Promise.resolve({ value: null })
      : findNewestRestorableInstant(currentArchive).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );

  for (const backup of backups) {
    if (backup.archiveId !== null && !scans.has(backup.archiveId) && backup.walStart !== null) {
      findings.push({
        code: 'wal-backup-incomplete',
        severity: 'error',
        message: `backup ${backup.label} needs WAL from archive ${backup.archiveId}, which has no WAL at all`,
        stanza,
        where: { label: backup.label, archiveId: backup.archiveId },
      });
      backup.walComplete = false;
    }
  }

  // Encryption: the first bytes of sampled objects.
  const sample = pickSample(walSamples, dataSamples, manifestSamples, settings.sampleSize);
  let salted = 0;
  let checkedCount = 0;
  for (const bytes of [archiveMain, backupMain]) {
    if (bytes === undefined) continue;
    checkedCount++;
    if (isSalted(bytes)) salted++;
  }
  if (encrypted !== null) {
    await forEachBounded(sample, settings.concurrency, async (key) => {
      const head = await bucket.get(key, { start: 0, end: 7 });
      if (head === undefined || head.length === 0) return;
      checkedCount++;
      const isEncrypted = isSalted(head);
      if (isEncrypted) salted++;
      if (isEncrypted !== encrypted) {
        findings.push({
          code: encrypted ? 'encryption-missing' : 'encryption-unexpected',
          severity: 'error',
          message: encrypted
            ? `${key} is stored unencrypted in an encrypted repository`
            : `${key} looks encrypted ("Salted__") in a repository whose info files are not`,
          stanza,
          where: { key },
        });
      }
    });
  }

  if (
    archivePair.encrypted === null &&
    backupPair.encrypted === null &&
    backupFolder.prefixes.length === 0 &&
    idPrefixes.length === 0
  ) {
    findings.push({
      code: 'stanza-not-found',
      severity: 'error',
      message: `stanza ${stanza} has no files under ${archiveRoot} or ${backupRoot}`,
      stanza,
    });
  }

  let deep: StanzaReport['deep'] = null;
  if (settings.deep) {
    await Promise.allSettled(deepWork);
    if (deepStop.signal.aborted) {
      await instant;
      throw deepStop.signal.reason;
    }
    const files = await filesCheck;
    if (files !== undefined) {
      findings.push(...files.findings);
      if (!files.complete) verified = false;
    }
    let segments = 0;
    let segmentBytes = 0;
    for (const { at, check } of [...walChecks].reverse()) {
      const wal = await check;
      findings.splice(at, 0, ...wal.findings);
      segments += wal.segments;
      segmentBytes += wal.bytes;
    }
    deep = {
      files: files?.summary.files ?? 0,
      fileBytes: files?.summary.fileBytes ?? 0,
      notProven: files?.summary.notProven ?? [],
      segments,
      segmentBytes,
    };
  }
  if (settings.signal?.aborted) {
    verified = false;
    findings.push({
      code: 'verification-aborted',
      severity: 'error',
      message: `verification was stopped: ${deep === null ? 'the shallow checks' : `${deep.files} backup file(s) and ${deep.segments} WAL segment(s)`} were checked before it stopped`,
      stanza,
    });
  }
  reconcileBackups(backups, entries, findings, settings.deep && verified);
  const settled = await instant;
  if ('error' in settled && !settings.signal?.aborted) throw settled.error;
  // Stopped mid-read: what an aborted verification reports when it gets here (nothing read).
  const newestRestorableInstant =
    'value' in settled ? settled.value : await findNewestRestorableInstant(currentArchive!);

  const bytes = archiveBytes + backupBytes;
  return {
    findings,
    report: {
      name: stanza,
      verified,
      encrypted,
      systemId,
      pgVersion,
      backups,
      archives,
      objects: archiveObjects + backupObjects,
      bytes,
      cost: { bytes, gibibytes: bytes / GIB, monthly: (bytes / GIB) * settings.pricePerGibMonth },
      encryptionSample: { checked: checkedCount, salted },
      deep,
      newestRestorableInstant,
    },
  };
}

/** The first archived segment (absolute number) of each timeline, when the segment size is known. */
function firstSegments(scan: ArchiveScan, segmentSize: number | null): Map<number, number> {
  const first = new Map<number, number>();
  if (segmentSize === null) return first;
  const perLog = 0x1_0000_0000 / segmentSize;
  for (const [timeline, logs] of scan.timelines) {
    for (const [log, runs] of logs) {
      const run = runs.runs[0];
      if (run === undefined) continue;
      const absolute = log * perLog + run.first;
      if (absolute < (first.get(timeline) ?? Number.POSITIVE_INFINITY)) first.set(timeline, absolute);
    }
  }
  return first;
}

function unknownCompressionFindings(scan: ArchiveScan, stanza: string): Finding[] {
  return scan.unknownCompressions.map((key) => ({
    code: 'wal-compression-unknown',
    severity: 'error',
    message: `${key} has a compression extension pgBackRest does not write: neither pgBackRest nor this verifier can read it, so its segment counts as missing (rename or re-archive it)`,
    stanza,
    where: { key, archiveId: scan.archiveId },
    expected: 'gz, lz4, zst, bz2 or no extension',
    found: key.slice(key.lastIndexOf('.') + 1),
  }));
}

function readMaybeEncrypted(bytes: Buffer, passphrase: string | undefined, key: string): string {
  if (!isSalted(bytes)) return bytes.toString('utf8');
  if (passphrase === undefined) throw new WrongPassphraseError(key);
  return decryptFile(bytes, passphrase, key).toString('utf8');
}

async function checkManifest(
  bucket: RepositoryStorage,
  key: string,
  passphrase: string | undefined,
  encrypted: boolean,
): Promise<string | undefined> {
  const bytes = await bucket.get(key);
  if (bytes === undefined) return `${key} disappeared while verifying`;
  if (encrypted && passphrase === undefined && isSalted(bytes)) return undefined;
  try {
    const manifest = parseInfoFile(readMaybeEncrypted(bytes, passphrase, key));
    return manifest.checksumValid ? undefined : `${key} does not match its checksum (corrupt or edited)`;
  } catch (error) {
    if (error instanceof WrongPassphraseError) return `${key} cannot be decrypted with backup.info's cipher passphrase`;
    if (error instanceof InfoFileParseError) return `${key} is not a valid manifest: ${error.message}`;
    throw error;
  }
}

async function readSegmentSize(
  bucket: RepositoryStorage,
  scan: ArchiveScan,
  walPassphrase: string | undefined,
  systemId: string | null,
  stanza: string,
  findings: Finding[],
): Promise<number | undefined> {
  const candidate =
    scan.samples.find((s) => s.compression === undefined || s.compression === 'gz') ??
    scan.samples.find((s) => s.compression !== undefined && supportedCompressions.has(s.compression));
  if (candidate === undefined) return undefined;
  let header: ReturnType<typeof headerFromStoredPrefix>;
  if (candidate.compression === undefined || candidate.compression === 'gz') {
    // Enough compressed bytes for the 40-byte header, few enough to bound what they inflate to (~1 MiB).
    const length = candidate.compression === 'gz' ? 1024 : 48;
    const prefix = await bucket.get(candidate.key, { start: 0, end: Math.min(candidate.size, length + 16) - 1 });
    if (prefix === undefined) return undefined;
    try {
      header = headerFromStoredPrefix(prefix, candidate.compression, walPassphrase, candidate.key);
    } catch {
      return undefined;
    }
  } else {
    // Other codecs: decode the one sampled segment as a stream (its blocks may be larger than any prefix).
    try {
      const decoded = await decodeStoredObject(bucket, candidate.key, undefined, {
        passphrase: walPassphrase,
        compression: candidate.compression,
      });
      if (decoded === undefined) return undefined;
      header = readWalSegmentHeader(decoded.head);
    } catch (error) {
      if (error instanceof ObjectDecodeError) return undefined;
      throw error;
    }
  }
  if (header === undefined) return undefined;
  if (systemId !== null && header.systemId !== systemId) {
    findings.push({
      code: 'info-mismatch',
      severity: 'error',
      message: `${candidate.key} belongs to system ${header.systemId}, but archive.info says ${systemId}`,
      stanza,
      where: { key: candidate.key, archiveId: scan.archiveId },
    });
  }
  return header.segmentSize;
}

function pickSample(wal: string[], data: string[], manifests: string[], size: number): string[] {
  const picked: string[] = [];
  const sources = [wal, data, manifests];
  for (let i = 0; picked.length < size && sources.some((s) => i < s.length); i++) {
    for (const source of sources) {
      const key = source[i];
      if (key !== undefined && picked.length < size) picked.push(key);
    }
  }
  return picked;
}
