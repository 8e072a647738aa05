import { decryptFile, isSalted } from './cipher.js';
import { DecodePool } from './decode-pool.js';
import { parseInfoFile } from './info-file.js';
import {
  type ManifestContent,
  type ManifestFile,
  ManifestFormatError,
  manifestContent,
  storedFileKey,
} from './manifest-files.js';
import { ObjectDecodeError, supportedCompressions } from './object-decoder.js';
import type { DeepProof } from './options.js';
import { forEachBounded, type SharedLimit } from './pool.js';
import type { Finding, StanzaReport } from './report.js';
import type { RepositoryStorage } from './storage.js';
import { decodeStoredObject, objectsInFlight } from './stored-object.js';

/** Inputs of {@link verifyBackupFiles}. */
export interface BackupFilesInput {
  readonly storage: RepositoryStorage;
  readonly stanza: string;
  /** `<prefix>backup/<stanza>/` */
  readonly backupRoot: string;
  /** Labels from backup.info, oldest first. */
  readonly labels: readonly string[];
  /** backup.info `[cipher] cipher-pass` (decrypts manifests). */
  readonly manifestPassphrase: string | undefined;
  /** Sizes of the objects under the backup folder, from its listing. */
  readonly objectSizes: ReadonlyMap<string, number>;
  readonly concurrency: number;
  /** `'stored'`: a file with a stored checksum (`rck`) is proven by its stored bytes only (see `deepProof`). Default `'content'`. */
  readonly proof?: DeepProof;
  /** Worker threads that decode what they can (the rest is decoded on this thread). */
  readonly pool?: DecodePool | undefined;
  /** Reads at once, shared with the WAL check running beside it. */
  readonly reads?: SharedLimit | undefined;
  readonly signal: AbortSignal | undefined;
  /** Called after each stored file (or bundle range) is read, with its stored size (progress). */
  readonly onRead?: ((bytes: number) => void) | undefined;
  /** Called once the manifests are read, with the stored files (or bundle ranges) to read and their bytes. */
  readonly onTotal?: ((objects: number, bytes: number) => void) | undefined;
}

/** What {@link verifyBackupFiles} found. */
export interface BackupFilesResult {
  readonly findings: Finding[];
  readonly summary: Omit<NonNullable<StanzaReport['deep']>, 'segments' | 'segmentBytes'>;
  /** False when some part could not be checked (unsupported compression, unreadable manifest, aborted). */
  readonly complete: boolean;
}

interface FileJob {
  readonly file: ManifestFile;
  /** Key of the stored object (file or bundle). */
  readonly key: string;
  readonly owner: string;
  readonly encoding: { passphrase: string | undefined; compression: string; raw: boolean };
  /** Proven by the SHA-1 of its stored bytes against the manifest's `rck`, not decoded. */
  readonly storedOnly: boolean;
  readonly breaks: Set<string>;
}

async function loadManifest(
  storage: RepositoryStorage,
  key: string,
  passphrase: string | undefined,
): Promise<ManifestContent | ManifestFormatError | undefined> {
  let formatError: ManifestFormatError | undefined;
  for (const candidate of [key, `${key}.copy`]) {
    const bytes = await storage.get(candidate);
    if (bytes === undefined) continue;
    try {
      const text = isSalted(bytes)
        ? passphrase === undefined
          ? undefined
          : decryptFile(bytes, passphrase, candidate).toString('utf8')
        : bytes.toString('utf8');
      if (text === undefined) continue;
      const info = parseInfoFile(text);
      if (info.checksumValid) return manifestContent(info);
    } catch (error) {
      // The shallow check reports what is wrong with the manifest; the copy may still be good.
      if (error instanceof ManifestFormatError) formatError = error;
    }
  }
  return formatError;
}

/**
 * Deep check of every backup's files: each manifest is decrypted through the key chain, and every
 * file it names is read from its object (or its range of a bundle), decrypted, decompressed, and
 * compared with the manifest's size and SHA-1. A file referenced by several backups is read once;
 * damage names every backup it breaks.
 *
 * @example
 * const { findings } = await verifyBackupFiles({ storage, stanza: 'main', backupRoot, labels, manifestPassphrase, objectSizes, concurrency: 8, signal: undefined });
 */
export async function verifyBackupFiles(input: BackupFilesInput): Promise<BackupFilesResult> {
  const { storage, stanza, backupRoot } = input;
  const findings: Finding[] = [];
  const manifests = new Map<string, ManifestContent>();
  const notProven: Array<{ label: string; files: number; reason: string }> = [];
  let complete = true;
  await forEachBounded(input.labels, input.concurrency, async (label) => {
    const content = await loadManifest(storage, `${backupRoot}${label}/backup.manifest`, input.manifestPassphrase);
    if (content instanceof ManifestFormatError) {
      findings.push({
        code: 'backup-manifest-invalid',
        severity: 'error',
        message: `backup ${label}: ${content.message}`,
        stanza,
        where: { label, key: `${backupRoot}${label}/backup.manifest` },
      });
    }
    if (content === undefined || content instanceof ManifestFormatError) complete = false;
    else manifests.set(label, content);
  });

  const jobs = new Map<string, FileJob>();
  for (const label of input.labels) {
    const manifest = manifests.get(label);
    if (manifest === undefined) continue;
    let blockIncremental = 0;
    let storedOnly = 0;
    for (const file of manifest.files) {
      const owner = file.reference ?? label;
      const source = manifests.get(owner) ?? manifest;
      if (!supportedCompressions.has(source.compressType)) continue;
      if (file.size === 0 && source.bundle) continue;
      if (file.blockIncremental && file.repoChecksum === undefined) {
        blockIncremental++;
        continue;
      }
      const stored = file.blockIncremental || (input.proof === 'stored' && file.repoChecksum !== undefined);
      if (stored && !file.blockIncremental) storedOnly++;
      const key = `${backupRoot}${storedFileKey(file, label, source.compressType)}`;
      const id = `${key}@${file.bundleOffset}`;
      const existing = jobs.get(id);
      if (existing !== undefined) existing.breaks.add(label);
      else {
        jobs.set(id, {
          file,
          key,
          owner,
          encoding: stored
            ? { passphrase: undefined, compression: 'none', raw: false }
            : {
                passphrase: source.cipherPass,
                compression: source.compressType,
                raw: source.bundleRaw && file.bundleId !== undefined,
              },
          storedOnly: stored,
          breaks: new Set([label]),
        });
      }
    }
    if (storedOnly > 0) {
      notProven.push({
        label,
        files: storedOnly,
        reason:
          'deepProof "stored": stored bytes checked against the repository checksum (as pgbackrest verify does), not decrypted or decompressed',
      });
    }
    if (!supportedCompressions.has(manifest.compressType)) {
      complete = false;
      findings.push({
        code: 'backup-compression-unsupported',
        severity: 'error',
        message: `backup ${label} is compressed with "${manifest.compressType}", which this version cannot decompress: its files were not read`,
        stanza,
        where: { label, key: `${backupRoot}${label}/backup.manifest` },
        expected: [...supportedCompressions].join(' or '),
        found: manifest.compressType,
      });
    }
    if (blockIncremental > 0) {
      notProven.push({
        label,
        files: blockIncremental,
        reason: 'block-incremental files without a repository checksum: their blocks were not read',
      });
    }
  }

  const missing = new Map<string, { files: number; breaks: Set<string> }>();
  const truncated = new Map<string, { expected: number; found: number; breaks: Set<string> }>();
  let files = 0;
  let fileBytes = 0;
  const sizeOf = async (key: string) => input.objectSizes.get(key) ?? (await storage.stat(key))?.size;
  const fail = (job: FileJob, code: Finding['code'], message: string, expected?: string, found?: string) => {
    findings.push({
      code,
      severity: 'error',
      message: `${job.key}${job.file.bundleId === undefined ? '' : ` (${job.file.name} at offset ${job.file.bundleOffset})`}: ${message}`,
      stanza,
      where: { key: job.key, label: job.owner, file: job.file.name },
      ...(expected === undefined ? {} : { expected }),
      ...(found === undefined ? {} : { found }),
      breaks: [...job.breaks].sort(),
    });
  };

  input.onTotal?.(
    jobs.size,
    [...jobs.values()].reduce((sum, job) => sum + job.file.repoSize, 0),
  );
  const checkFile = async (job: FileJob) => {
    if (input.signal?.aborted) return;
    const { file } = job;
    const stored = await sizeOf(job.key);
    if (stored === undefined) {
      const entry = missing.get(job.key) ?? { files: 0, breaks: new Set<string>() };
      entry.files++;
      for (const label of job.breaks) entry.breaks.add(label);
      missing.set(job.key, entry);
      return;
    }
    const length = file.repoSize;
    const end = file.bundleOffset + length;
    if (end > stored || (file.bundleId === undefined && stored !== length)) {
      const entry = truncated.get(job.key) ?? { expected: 0, found: stored, breaks: new Set<string>() };
      entry.expected = Math.max(entry.expected, end);
      for (const label of job.breaks) entry.breaks.add(label);
      truncated.set(job.key, entry);
      return;
    }
    const range = file.bundleId === undefined ? undefined : { start: file.bundleOffset, end: end - 1 };
    const read = { signal: input.signal, pool: input.pool, expected: file.size, storedSize: length };
    if (job.storedOnly) {
      const stored = await decodeStoredObject(
        storage,
        job.key,
        range,
        { passphrase: undefined, compression: 'none' },
        {
          ...read,
          expected: length,
        },
      );
      if (stored === undefined) {
        missing.set(job.key, { files: 1, breaks: new Set(job.breaks) });
        return;
      }
      const sha1 = stored.sha1;
      files++;
      if (sha1 !== file.repoChecksum) {
        fail(
          job,
          'backup-file-checksum-mismatch',
          'stored bytes differ from the repository checksum in the manifest',
          file.repoChecksum,
          sha1,
        );
      }
      return;
    }
    try {
      // The stored bytes' own SHA-1 is a second pass: taken only when the manifest has no content checksum to prove.
      const hashStored = file.repoChecksum !== undefined && file.checksum === undefined;
      const decoded = await decodeStoredObject(storage, job.key, range, { ...job.encoding, hashStored }, read);
      if (decoded === undefined) {
        missing.set(job.key, { files: 1, breaks: new Set(job.breaks) });
        return;
      }
      files++;
      fileBytes += decoded.size;
      if (decoded.size !== file.size) {
        fail(
          job,
          'backup-file-size-mismatch',
          'restores to a different size than the manifest says',
          `${file.size} bytes`,
          `${decoded.size} bytes`,
        );
      } else if (file.checksum !== undefined && decoded.sha1 !== file.checksum) {
        fail(
          job,
          'backup-file-checksum-mismatch',
          'restores to different content than the manifest says',
          file.checksum,
          decoded.sha1,
        );
      } else if (decoded.storedSha1 !== undefined && decoded.storedSha1 !== file.repoChecksum) {
        fail(
          job,
          'backup-file-checksum-mismatch',
          'stored bytes differ from the repository checksum in the manifest',
          file.repoChecksum,
          decoded.storedSha1,
        );
      }
    } catch (error) {
      if (!(error instanceof ObjectDecodeError)) {
        if (input.signal?.aborted) return;
        throw error;
      }
      files++;
      fail(
        job,
        'backup-file-corrupt',
        `${error.message}: the stored bytes are damaged`,
        undefined,
        error.stage === 'decrypt' ? 'undecryptable' : 'undecompressable',
      );
    }
  };
  // Queued to the workers only when they decode every file: lz4, zst and bz2 stream on this thread, `concurrency` at once.
  const workersDecodeAll = [...jobs.values()].every((job) => DecodePool.handles(job.encoding));
  const inFlight = objectsInFlight(storage, workersDecodeAll ? input.pool : undefined, input.concurrency);
  // Largest first: a large file decodes in one worker while the others take the small ones, instead of
  // starting last and leaving one worker busy alone at the end.
  const bySize = [...jobs.values()].sort((a, b) => b.file.repoSize - a.file.repoSize);
  await forEachBounded(bySize, inFlight, async (job) => {
    if (input.signal?.aborted) return;
    try {
      await (input.reads === undefined ? checkFile(job) : input.reads.run(() => checkFile(job)));
    } finally {
      input.onRead?.(job.file.repoSize);
    }
  });

  for (const [key, entry] of missing) {
    findings.push({
      code: 'backup-file-missing',
      severity: 'error',
      message: `${key} is missing: ${entry.files} file(s) named by the manifest cannot be restored`,
      stanza,
      where: { key },
      breaks: [...entry.breaks].sort(),
    });
  }
  for (const [key, entry] of truncated) {
    findings.push({
      code: 'backup-file-truncated',
      severity: 'error',
      message: `${key} ${entry.found < entry.expected ? 'is shorter' : 'has another size'} than the manifest says: it cannot be restored`,
      stanza,
      where: { key },
      expected: `${entry.expected} bytes`,
      found: `${entry.found} bytes`,
      breaks: [...entry.breaks].sort(),
    });
  }
  return { findings, summary: { files, fileBytes, notProven }, complete };
}
