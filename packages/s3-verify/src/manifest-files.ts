import { type InfoFile, infoKeys, infoValue } from './info-file.js';

/** One file of a backup as its manifest describes it. */
export interface ManifestFile {
  /** Name in the manifest (`pg_data/base/1/1259`). */
  readonly name: string;
  /** Original size in bytes. */
  readonly size: number;
  /** SHA-1 (hex) of the original content; `undefined` when the manifest has none. */
  readonly checksum: string | undefined;
  /** Stored size in the repository (compressed, encrypted); the manifest leaves it out when equal to `size`. */
  readonly repoSize: number;
  /** SHA-1 (hex) of the stored bytes, recorded for block-incremental files (2.50+). */
  readonly repoChecksum: string | undefined;
  /** The backup that holds the file when it is not this one (diff/incr). */
  readonly reference: string | undefined;
  /** Bundle (`bundle/<id>`) and offset in it, when bundled. */
  readonly bundleId: number | undefined;
  readonly bundleOffset: number;
  /** Stored as a block-incremental map (2.50+): its content is not one stream of the file. */
  readonly blockIncremental: boolean;
}

/** What deep verification needs from a backup manifest. */
export interface ManifestContent {
  readonly label: string;
  /** `option-compress-type`: gz, lz4, zst, bz2 or none. */
  readonly compressType: string;
  /** Files were bundled (`repo-bundle`): zero-length files are then not stored at all. */
  readonly bundle: boolean;
  /** Bundles written raw (no compression or cipher headers), as with block incremental. */
  readonly bundleRaw: boolean;
  /** Passphrase of this backup's files (`[cipher] cipher-pass`), when encrypted. */
  readonly cipherPass: string | undefined;
  readonly files: readonly ManifestFile[];
}

/** Thrown when a manifest lacks what a file check needs. */
export class ManifestFormatError extends Error {
  override readonly name = 'ManifestFormatError';
}

/** The manifest format (`[backrest] backrest-format`) of pgBackRest 2.x. */
const MANIFEST_FORMAT = 5;

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The files of a parsed backup manifest and how they are stored. Pure.
 *
 * @example
 * const { files, compressType } = manifestContent(parseInfoFile(text));
 */
export function manifestContent(manifest: InfoFile): ManifestContent {
  const format = infoValue(manifest, 'backrest', 'backrest-format');
  if (typeof format === 'number' && format > MANIFEST_FORMAT) {
    throw new ManifestFormatError(
      `manifest format ${format} is newer than the format this package reads (${MANIFEST_FORMAT}): update @chronos/s3-verify`,
    );
  }
  const label = str(infoValue(manifest, 'backup', 'backup-label'));
  if (label === undefined) throw new ManifestFormatError('the manifest has no [backup] backup-label');
  const compress = infoValue(manifest, 'backup:option', 'option-compress-type');
  const legacyCompress = infoValue(manifest, 'backup:option', 'option-compress');
  const compressType = str(compress) ?? (legacyCompress === true ? 'gz' : 'none');
  const files = infoKeys(manifest, 'target:file').map((name): ManifestFile => {
    const value = (infoValue(manifest, 'target:file', name) ?? {}) as Record<string, unknown>;
    const size = num(value['size']);
    if (size === undefined) throw new ManifestFormatError(`manifest file ${name} has no size`);
    return {
      name,
      size,
      checksum: str(value['checksum']),
      repoSize: num(value['repo-size']) ?? size,
      repoChecksum: str(value['rck']),
      reference: str(value['reference']),
      bundleId: num(value['bni']),
      bundleOffset: num(value['bno']) ?? 0,
      blockIncremental: num(value['bim']) !== undefined || num(value['bi']) !== undefined,
    };
  });
  return {
    label,
    compressType,
    bundle: infoValue(manifest, 'backup', 'backup-bundle') === true,
    bundleRaw: infoValue(manifest, 'backup', 'backup-bundle-raw') === true,
    cipherPass: str(infoValue(manifest, 'cipher', 'cipher-pass')),
    files,
  };
}

const EXTENSIONS: Readonly<Record<string, string>> = { gz: '.gz', lz4: '.lz4', zst: '.zst', bz2: '.bz2', none: '' };

/**
 * Where a manifest file is stored, relative to the stanza's backup folder: `<label>/bundle/<id>` when
 * bundled, else `<label>/<name><ext>` (`.pgbi` for block-incremental files).
 *
 * @example
 * storedFileKey(file, '20261201-010203F', 'gz'); // '20261201-010203F/pg_data/PG_VERSION.gz'
 */
export function storedFileKey(file: ManifestFile, label: string, compressType: string): string {
  const owner = file.reference ?? label;
  if (file.bundleId !== undefined) return `${owner}/bundle/${file.bundleId}`;
  if (file.blockIncremental) return `${owner}/${file.name}.pgbi`;
  const extension = EXTENSIONS[compressType];
  if (extension === undefined) throw new ManifestFormatError(`unknown compression type "${compressType}"`);
  return `${owner}/${file.name}${extension}`;
}
