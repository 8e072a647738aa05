import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

/** The name of segment number `n` (0-based from 000000010000000000000000) on `timeline`, 16 MiB segments. */
export function segmentName(n: number, timeline = 1): string {
  return `${hex8(timeline)}${hex8(Math.floor(n / 256))}${hex8(n % 256)}`;
}

/** A small gzip stream standing in for a compressed segment (its size is given to verifiers as an option). */
const content = gzipSync(Buffer.alloc(8192, 0));
const md5 = createHash('md5').update(content).digest('hex');

/**
 * Writes `count` WAL objects, segments `first`..`first+count-1`, straight into an s3rver store
 * (`<directory>/<bucket>/<key>._S3rver_object` plus its `.md5`), the layout s3rver 3.7.1 lists from.
 * Much faster than PUT requests for hundreds of thousands of objects.
 */
export async function writeSyntheticWal(options: {
  directory: string;
  bucket: string;
  /** Key prefix of the archive id, e.g. `bench/archive/demo/15-1`. */
  archivePrefix: string;
  first: number;
  count: number;
}): Promise<void> {
  const base = join(options.directory, options.bucket, options.archivePrefix);
  const end = options.first + options.count;
  const madeDirs = new Map<string, Promise<unknown>>();
  const concurrency = 64;
  let next = options.first;
  const worker = async () => {
    while (next < end) {
      const n = next++;
      const name = segmentName(n);
      const dir = join(base, name.slice(0, 16));
      let made = madeDirs.get(dir);
      if (made === undefined) {
        made = mkdir(dir, { recursive: true });
        madeDirs.set(dir, made);
      }
      await made;
      const sha = createHash('sha1').update(name).digest('hex');
      const file = join(dir, `${name}-${sha}.gz._S3rver_object`);
      await writeFile(file, content);
      await writeFile(`${file}.md5`, md5);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The bytes every synthetic segment object holds. */
export const syntheticSegmentBytes = content.length;
