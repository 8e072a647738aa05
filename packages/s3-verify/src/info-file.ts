import { createHash } from 'node:crypto';

/** One `[section]` of a pgBackRest info file: keys mapped to their raw JSON text, in file order. */
export type InfoSection = ReadonlyMap<string, string>;

/**
 * A parsed pgBackRest info file (archive.info, backup.info, backup.manifest): INI whose values
 * are JSON, closed by a `[backrest] backrest-checksum`.
 */
export interface InfoFile {
  /** Sections in file order; a section that appears twice is merged. Values are raw JSON text. */
  readonly sections: ReadonlyMap<string, InfoSection>;
  /** The checksum the file claims (`backrest-checksum`), if any. */
  readonly checksum: string | undefined;
  /** SHA-1 recomputed over the content the way pgBackRest does. */
  readonly computedChecksum: string;
  /** True when a checksum is present and matches the content. */
  readonly checksumValid: boolean;
}

/** Thrown when text is not a pgBackRest info file. Says which line is wrong. */
export class InfoFileParseError extends Error {
  override readonly name = 'InfoFileParseError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const CHECKSUM_KEY = 'backrest-checksum';

/**
 * Parses an info file and recomputes its checksum: SHA-1 of `{"section":{"key":value,…},…}` built
 * in file order without whitespace, leaving out `backrest-checksum`.
 *
 * @example
 * const info = parseInfoFile(await readFile('archive.info', 'utf8'));
 * if (!info.checksumValid) console.log('corrupt');
 * infoValue(info, 'db', 'db-version'); // '15'
 */
export function parseInfoFile(text: string): InfoFile {
  const sections = new Map<string, Map<string, string>>();
  const hash = createHash('sha1');
  let checksum: string | undefined;
  let current: Map<string, string> | undefined;
  let currentName = '';
  let openInHash = false;
  let keyCount = 0;
  let wroteSection = false;
  const lines = text.split('\n');
  hash.update('{');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (!line.endsWith(']'))
        throw new InfoFileParseError(`line ${index + 1}: unterminated section header`, index + 1);
      currentName = line.slice(1, -1);
      current = sections.get(currentName) ?? new Map<string, string>();
      sections.set(currentName, current);
      if (openInHash) hash.update('}');
      openInHash = false;
      keyCount = 0;
      continue;
    }
    const equals = line.indexOf('=');
    if (current === undefined || equals <= 0) {
      throw new InfoFileParseError(`line ${index + 1}: expected key=value inside a [section]`, index + 1);
    }
    const key = line.slice(0, equals);
    const value = line.slice(equals + 1);
    if (currentName === 'backrest' && key === CHECKSUM_KEY) {
      checksum = parseJsonValue(value, index + 1) as string;
      continue;
    }
    current.set(key, value);
    if (!openInHash) {
      hash.update(`${wroteSection ? ',' : ''}${JSON.stringify(currentName)}:{`);
      openInHash = true;
      wroteSection = true;
    }
    hash.update(`${keyCount > 0 ? ',' : ''}${JSON.stringify(key)}:${value}`);
    keyCount++;
  }
  if (openInHash) hash.update('}');
  hash.update('}');
  if (sections.size === 0) throw new InfoFileParseError('no [section] found: not a pgBackRest info file', 1);
  const computedChecksum = hash.digest('hex');
  return { sections, checksum, computedChecksum, checksumValid: checksum === computedChecksum };
}

function parseJsonValue(raw: string, line: number): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new InfoFileParseError(`line ${line}: value is not JSON: ${raw.slice(0, 40)}`, line);
  }
}

/**
 * The JSON value of `key` in `section`, parsed; `undefined` when absent. Integers beyond 2^53
 * (system ids) lose precision here: use {@link infoRawValue} for those.
 *
 * @example
 * infoValue(info, 'cipher', 'cipher-pass'); // the sub-passphrase string, or undefined
 */
export function infoValue(info: InfoFile, section: string, key: string): unknown {
  const raw = infoRawValue(info, section, key);
  return raw === undefined ? undefined : JSON.parse(raw);
}

/**
 * The raw JSON text of `key` in `section`.
 *
 * @example
 * infoRawValue(info, 'db', 'db-system-id'); // '7711623129836035204' (exact)
 */
export function infoRawValue(info: InfoFile, section: string, key: string): string | undefined {
  return info.sections.get(section)?.get(key);
}

/**
 * The keys of `section` in file order (for example the backup labels of `[backup:current]`).
 *
 * @example
 * infoKeys(backupInfo, 'backup:current'); // ['20261124-063619F', …]
 */
export function infoKeys(info: InfoFile, section: string): string[] {
  return [...(info.sections.get(section)?.keys() ?? [])];
}
