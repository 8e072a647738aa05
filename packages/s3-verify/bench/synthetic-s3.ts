// A read-only S3 endpoint (plain HTTP, path style) serving a virtual pgBackRest repository with
// N WAL segments, computed on the fly so a million objects cost no memory or disk. Info files,
// manifests and segment bytes are the recorded real ones from test/fixtures/repo/plain.
// Run: node synthetic-s3.mjs <port> <segments> [latencyMs]  (port 0: any free port, printed on start)
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const [portArg, countArg, latencyArg] = process.argv.slice(2);
const port = Number(portArg ?? 9555);
const count = Number(countArg ?? 1_000_000);
const latency = Number(latencyArg ?? 0);
const fixtures = process.env['FIXTURES'] ?? fileURLToPath(new URL('../test/fixtures/repo/plain/', import.meta.url));
const read = (name: string) => readFileSync(fixtures + name);
const segmentFile = readdirSync(fixtures).find((f) => f.startsWith('segment-'))!;
const segmentBytes = read(segmentFile);
const stanza = 'fx';
const modified = '2026-01-01T00:00:00.000Z';

const staticObjects = new Map<string, Buffer>();
staticObjects.set(`archive/${stanza}/archive.info`, read('archive.info'));
staticObjects.set(`archive/${stanza}/archive.info.copy`, read('archive.info.copy'));
staticObjects.set(`backup/${stanza}/backup.info`, read('backup.info'));
staticObjects.set(`backup/${stanza}/backup.info.copy`, read('backup.info.copy'));
const labels = [
  ...read('backup.info')
    .toString()
    .matchAll(/^(\d{8}-\d{6}F(?:_\d{8}-\d{6}[DI])?)=/gm),
].map((m) => m[1]!);
const manifest = read('backup.manifest');
for (const label of labels) {
  staticObjects.set(`backup/${stanza}/${label}/backup.manifest`, manifest);
  staticObjects.set(`backup/${stanza}/${label}/backup.manifest.copy`, manifest);
  for (let i = 0; i < 20; i++)
    staticObjects.set(`backup/${stanza}/${label}/pg_data/base/1/${1000 + i}.gz`, Buffer.alloc(64, i));
}
const staticKeys = [...staticObjects.keys()].sort();

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
/** Segment i (0-based) is segment number i+1 on timeline 1, 16 MiB segments. */
function walKey(i: number): string {
  const s = i + 1;
  const name = `00000001${hex8(Math.floor(s / 256))}${hex8(s % 256)}`;
  const sha = (i * 2654435761).toString(16).padStart(40, '0').slice(-40);
  return `archive/${stanza}/15-1/${name.slice(0, 16)}/${name}-${sha}.gz`;
}
/** First index whose key is > `key` (or >= with `inclusive`), by binary search over a sorted sequence. */
function search(length: number, at: (i: number) => string, key: string, inclusive: boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const k = at(mid);
    if (k < key || (!inclusive && k === key)) low = mid + 1;
    else high = mid;
  }
  return low;
}

function* keysFrom(key: string, inclusive: boolean): Generator<string> {
  let w = search(count, walKey, key, inclusive);
  let s = search(staticKeys.length, (i) => staticKeys[i]!, key, inclusive);
  while (w < count || s < staticKeys.length) {
    const wk = w < count ? walKey(w) : undefined;
    const sk = staticKeys[s];
    if (sk === undefined || (wk !== undefined && wk < sk)) {
      w++;
      yield wk!;
    } else {
      s++;
      yield sk;
    }
  }
}

function sizeOf(key: string): number {
  return staticObjects.get(key)?.length ?? segmentBytes.length;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function list(query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = Math.min(1000, Number(query.get('max-keys') ?? 1000));
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after');
  let iterator =
    token !== null
      ? keysFrom(Buffer.from(token, 'base64url').toString(), false)
      : startAfter !== null && startAfter >= prefix
        ? keysFrom(startAfter, false)
        : keysFrom(prefix, true);
  const contents: string[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last = '';
  for (let step = iterator.next(); !step.done; step = iterator.next()) {
    const key = step.value;
    if (!key.startsWith(prefix)) break;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    if (cut >= 0) {
      const common = key.slice(0, cut + 1);
      prefixes.push(`<CommonPrefixes><Prefix>${escapeXml(common)}</Prefix></CommonPrefixes>`);
      last = `${common}\uffff`;
      iterator = keysFrom(last, false);
      continue;
    }
    contents.push(
      `<Contents><Key>${escapeXml(key)}</Key><LastModified>${modified}</LastModified><ETag>"0"</ETag><Size>${sizeOf(key)}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    );
    last = key;
  }
  const nextToken = truncated
    ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${nextToken}${contents.join('')}${prefixes.join('')}</ListBucketResult>`;
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const [, , ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const send = (
    status: number,
    body: string | Buffer,
    type = 'application/xml',
    headers: Record<string, string> = {},
  ) =>
    setTimeout(() => {
      response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
      response.end(body);
    }, latency);
  if (key === '') {
    if (url.searchParams.get('list-type') === '2') return send(200, list(url.searchParams));
    return send(501, '<?xml version="1.0"?><Error><Code>NotImplemented</Code><Message>not here</Message></Error>');
  }
  const bytes = staticObjects.get(key) ?? (key.startsWith(`archive/${stanza}/15-1/`) ? segmentBytes : undefined);
  if (bytes === undefined)
    return send(404, '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>no</Message></Error>');
  const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
  if (range === null) return send(200, bytes, 'application/octet-stream');
  const start = Number(range[1]);
  const end = Math.min(Number(range[2]), bytes.length - 1);
  return send(206, bytes.subarray(start, end + 1), 'application/octet-stream', {
    'content-range': `bytes ${start}-${end}/${bytes.length}`,
  });
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`synthetic S3 on 127.0.0.1:${bound} with ${count} WAL segments`);
});
