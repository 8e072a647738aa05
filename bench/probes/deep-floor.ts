// The floor of deep verification: every stored object of the repository read, decrypted, decompressed
// and hashed with SHA-1, `concurrency` at once, and nothing else (no listing analysis, no manifest
// checks, no findings). Arguments as for deep-verify. The passphrases of the key chain (repository →
// backup.info / archive.info → manifest) are read first; that is not timed.
import { createDecipheriv, createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '@chronos/s3-verify';
import { bytesToKey, decryptFile } from '../../packages/s3-verify/src/cipher.js';
import { infoValue, parseInfoFile } from '../../packages/s3-verify/src/info-file.js';

const [kind = '', ...rest] = process.argv.slice(2);
const repoPass = process.env['CHRONOS_BENCH_CIPHER_PASS'];
const posix = kind === 'posix';
const [path = '', posixConcurrency = '8'] = rest;
const [url = '', caFile = '', bucket = '', repoPath = '/', s3Concurrency = '8'] = rest;
const concurrency = Number(posix ? posixConcurrency : s3Concurrency);
const prefix = posix ? '' : repoPath.replace(/^\/+|\/+$/g, '') === '' ? '' : `${repoPath.replace(/^\/+|\/+$/g, '')}/`;
const client = posix
  ? undefined
  : createS3Client({
      bucket,
      region: 'ca-central-1',
      endpoint: url,
      tls: { caCert: readFileSync(caFile, 'utf8') },
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // s3rver on a loaded 2-core machine can stall longer than the default 30 s between bytes of a body.
      timeoutMs: 600_000,
    });

async function open(key: string): Promise<NodeJS.ReadableStream> {
  if (posix) return createReadStream(join(path, key), { highWaterMark: 256 * 1024 });
  const object = await client!.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${key}` }));
  return object.Body as NodeJS.ReadableStream;
}
async function whole(key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await open(key)) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
async function* keys(): AsyncGenerator<string> {
  if (posix) {
    for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) yield relative(path, join(entry.parentPath, entry.name));
    }
    return;
  }
  let token: string | undefined;
  do {
    const page = await client!.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
    );
    for (const o of page.Contents ?? []) yield o.Key!.slice(prefix.length);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

// The key chain, untimed.
const all: string[] = [];
for await (const key of keys()) all.push(key);
const passFor = new Map<string, string | undefined>();
if (repoPass !== undefined) {
  const cipherPass = async (key: string, pass: string) =>
    infoValue(
      parseInfoFile(decryptFile(await whole(key), pass, key).toString('utf8')),
      'cipher',
      'cipher-pass',
    ) as string;
  for (const key of all.filter((k) => /^(archive|backup)\/[^/]+\/(archive|backup)\.info$/.test(k))) {
    passFor.set(key.slice(0, key.lastIndexOf('/') + 1), await cipherPass(key, repoPass));
  }
  for (const key of all.filter((k) => /^backup\/[^/]+\/[^/]+\/backup\.manifest$/.test(k))) {
    const stanzaDir = key.split('/').slice(0, 2).join('/') + '/';
    passFor.set(key.slice(0, key.lastIndexOf('/') + 1), await cipherPass(key, passFor.get(stanzaDir)!));
  }
}
function passphraseOf(key: string): string | undefined {
  if (repoPass === undefined) return undefined;
  const parts = key.split('/');
  if (/\.(info|info\.copy)$/.test(key)) return repoPass;
  if (parts[0] === 'archive') return passFor.get(`${parts[0]}/${parts[1]}/`);
  if (/backup\.manifest(\.copy)?$/.test(key) || parts[2] === 'backup.history') {
    return passFor.get(`${parts[0]}/${parts[1]}/`);
  }
  return passFor.get(`${parts[0]}/${parts[1]}/${parts[2]}/`);
}

class Decrypt extends Transform {
  private head = Buffer.alloc(0);
  private decipher: ReturnType<typeof createDecipheriv> | undefined;
  constructor(private readonly pass: string) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: (e?: Error | null, d?: Buffer) => void): void {
    if (this.decipher === undefined) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 16) {
        done();
        return;
      }
      const { key, iv } = bytesToKey(this.pass, this.head.subarray(8, 16));
      this.decipher = createDecipheriv('aes-256-cbc', key, iv);
      chunk = this.head.subarray(16);
    }
    done(null, this.decipher.update(chunk));
  }
  override _flush(done: (e?: Error | null, d?: Buffer) => void): void {
    if (this.decipher === undefined) done(new Error('too short for an encrypted file'));
    else done(null, this.decipher.final());
  }
}

/** A read the network cuts off starts again from the first byte, as the verifier's reads do (4 attempts, 200 ms backoff doubled). */
const CUT_OFF = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);
let retries = 0;
async function decodeWithRetry(key: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await decode(key);
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      const cutOff = CUT_OFF.has(code ?? '') || message === 'aborted' || message === 'socket hang up';
      if (!cutOff || attempt >= 4) throw error;
      retries++;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (attempt - 1)));
    }
  }
}

async function decode(key: string): Promise<number> {
  const hash = createHash('sha1');
  let size = 0;
  const stages: NodeJS.ReadWriteStream[] = [];
  const pass = passphraseOf(key);
  if (pass !== undefined) stages.push(new Decrypt(pass));
  if (key.endsWith('.gz')) stages.push(createGunzip({ chunkSize: 256 * 1024 }));
  await pipeline([
    await open(key),
    ...stages,
    new Writable({
      write(chunk: Buffer, _e, done) {
        hash.update(chunk);
        size += chunk.length;
        done();
      },
    }),
  ] as never);
  hash.digest('hex');
  return size;
}

const started = performance.now();
const cpu = process.cpuUsage();
let bytes = 0;
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < all.length) {
      const key = all[next++]!;
      if (key.endsWith('/') || key.includes('/latest')) continue;
      // Not `bytes += await …`: that reads `bytes` before the await and drops what the other readers added meanwhile.
      const decoded = await decodeWithRetry(key);
      bytes += decoded;
    }
  }),
);
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
client?.destroy();
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, objects: all.length, bytes, retries, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
