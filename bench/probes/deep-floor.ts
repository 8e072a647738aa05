// The floor of deep verification: every stored object of the repository read, decrypted, decompressed
// and hashed with SHA-1, `concurrency` at once, and nothing else (no listing analysis, no manifest
// checks, no findings). Arguments as for deep-verify. The passphrases of the key chain (repository →
// backup.info / archive.info → manifest) are read first; that is not timed. With CHRONOS_BENCH_DEEP_PROOF=stored,
// the floor of the stored proof: backup files are read and hashed as stored (no decryption, no inflating), WAL
// segments, info files and manifests decoded as above.
// On a posix path the floor runs in `concurrency` worker threads, as deep verification does: each takes the next
// file, reads it in pieces into a reused buffer and decodes each piece synchronously into a reused buffer, so it is
// the least work Node can do for this proof, not a straw man.
import { createDecipheriv, createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '@chronos/s3-verify';
import { bytesToKey, decryptFile } from '../../packages/s3-verify/src/cipher.js';
import { infoValue, parseInfoFile } from '../../packages/s3-verify/src/info-file.js';
import { ObjectRequester, resolveObjectAddress } from '../../packages/s3-verify/src/object-request.js';
import { objectRequestSettings } from '../../packages/s3-verify/src/s3-client.js';

const [kind = '', ...rest] = process.argv.slice(2);
const repoPass = process.env['CHRONOS_BENCH_CIPHER_PASS'];
const storedProof = process.env['CHRONOS_BENCH_DEEP_PROOF'] === 'stored';
/** A backup file (or bundle): what the stored proof hashes as stored. */
const backupFile = /^backup\/[^/]+\/[^/]+\/(pg_data|pg_tblspc|bundle)\//;
const posix = kind === 'posix';
const [path = '', posixConcurrency = '8'] = rest;
const [url = '', caFile = '', bucket = '', repoPath = '/', s3Concurrency = '8'] = rest;
const concurrency = Number(posix ? posixConcurrency : s3Concurrency);
const prefix = posix ? '' : repoPath.replace(/^\/+|\/+$/g, '') === '' ? '' : `${repoPath.replace(/^\/+|\/+$/g, '')}/`;
const client = posix
  ? undefined
  : await createS3Client({
      bucket,
      region: 'ca-central-1',
      endpoint: url,
      tls: { caCert: readFileSync(caFile, 'utf8') },
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // s3rver on a loaded 2-core machine can stall longer than the default 30 s between bytes of a body.
      timeoutMs: 600_000,
    });

// Objects are read as deep verification reads them: plain HTTPS GETs signed by the SDK's signer.
const address = client === undefined ? undefined : await resolveObjectAddress(client, bucket);
const requester =
  client === undefined || address === undefined
    ? undefined
    : new ObjectRequester(client, address, objectRequestSettings(client)!);
async function open(key: string): Promise<NodeJS.ReadableStream> {
  if (posix) return createReadStream(join(path, key), { highWaterMark: 256 * 1024 });
  return await requester!.open(`${prefix}${key}`);
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
  const asStored = storedProof && backupFile.test(key);
  if (pass !== undefined && !asStored) stages.push(new Decrypt(pass));
  if (key.endsWith('.gz') && !asStored) stages.push(createGunzip({ chunkSize: 256 * 1024 }));
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

/**
 * A worker thread of the posix floor: takes files by a shared counter until none is left; answers the bytes decoded.
 * Each file is read in pieces into one reused buffer, decrypted in 256 KiB pieces and inflated synchronously through
 * the zlib engine's handle into one reused 256 KiB buffer (fresh output buffers fault in pages, which costs more than
 * inflating), then hashed.
 */
const FLOOR_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs'), zlib = require('node:zlib'), crypto = require('node:crypto');
const PIECE = 256 * 1024, READ = 1024 * 1024;
const { files, counter } = workerData;
const next = new Int32Array(counter);
const keyOf = (pass, salt) => {
  const parts = []; let previous = Buffer.alloc(0);
  while (parts.length * 20 < 48) { previous = crypto.createHash('sha1').update(previous).update(pass, 'utf8').update(salt).digest(); parts.push(previous); }
  const material = Buffer.concat(parts); return { key: material.subarray(0, 32), iv: material.subarray(32, 48) };
};
const buffer = Buffer.allocUnsafeSlow(READ), output = Buffer.allocUnsafeSlow(PIECE);
let bytes = 0;
for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) {
  const { path, pass, gz } = files[i];
  const hash = crypto.createHash('sha1');
  const engine = gz ? zlib.createGunzip() : undefined;
  let failed;
  if (engine) engine._handle.onerror = (message) => { failed = new Error(message); };
  const content = (plain, last) => {
    if (!engine) { hash.update(plain); bytes += plain.length; return; }
    let offset = 0, available = plain.length;
    for (;;) {
      engine._handle.writeSync(last ? 4 : 0, plain, offset, available, output, 0, PIECE);
      if (failed) throw failed;
      const [outLeft, inLeft] = engine._writeState;
      hash.update(output.subarray(0, PIECE - outLeft)); bytes += PIECE - outLeft;
      offset += available - inLeft; available = inLeft;
      if (outLeft !== 0) return;
    }
  };
  const fd = fs.openSync(path, 'r');
  let decipher, position = 0;
  for (let read; (read = fs.readSync(fd, buffer, 0, READ, position)) > 0; position += read) {
    let stored = buffer.subarray(0, read);
    if (pass !== undefined && decipher === undefined) {
      const { key, iv } = keyOf(pass, stored.subarray(8, 16));
      decipher = crypto.createDecipheriv('aes-256-cbc', key, iv);
      stored = stored.subarray(16);
    }
    for (let at = 0; at < stored.length; at += PIECE) {
      const piece = stored.subarray(at, at + PIECE);
      content(decipher ? decipher.update(piece) : piece, false);
    }
  }
  fs.closeSync(fd);
  content(decipher ? decipher.final() : Buffer.alloc(0), true);
  engine?.close();
  hash.digest('hex');
}
parentPort.postMessage(bytes);
`;

/** The posix floor: `concurrency` worker threads share the files, largest first. */
async function posixFloor(keys: readonly string[]): Promise<number> {
  const { stat } = await import('node:fs/promises');
  const files = await Promise.all(
    keys.map(async (key) => {
      const file = join(path, key);
      const asStored = storedProof && backupFile.test(key);
      return {
        path: file,
        size: (await stat(file)).size,
        pass: asStored ? undefined : passphraseOf(key),
        gz: key.endsWith('.gz') && !asStored,
      };
    }),
  );
  files.sort((a, b) => b.size - a.size);
  const counter = new SharedArrayBuffer(4);
  const decoded = await Promise.all(
    Array.from(
      { length: concurrency },
      () =>
        new Promise<number>((resolve, reject) => {
          const worker = new Worker(FLOOR_WORKER, { eval: true, workerData: { files, counter } });
          // The worker's thread ends by itself after its answer.
          worker.once('message', (bytes: number) => resolve(bytes));
          worker.once('error', reject);
        }),
    ),
  );
  return decoded.reduce((sum, bytes) => sum + bytes, 0);
}

const started = performance.now();
const cpu = process.cpuUsage();
let bytes = 0;
let next = 0;
const wanted = all.filter((key) => !key.endsWith('/') && !key.includes('/latest'));
if (posix) bytes = await posixFloor(wanted);
else {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < wanted.length) {
        const key = wanted[next++]!;
        // Not `bytes += await …`: that reads `bytes` before the await and drops what the other readers added meanwhile.
        const decoded = await decodeWithRetry(key);
        bytes += decoded;
      }
    }),
  );
}
const ms = performance.now() - started;
const used = process.cpuUsage(cpu);
client?.destroy();
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000, objects: all.length, bytes, retries, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
