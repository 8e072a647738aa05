// The exporter under scrape load: 10 stanzas held in memory (recorded pgBackRest 2.45 info, the reference policy),
// scraped by 50 concurrent keep-alive scrapers on loopback (bench/probes/scrape-load.ts in its own process).
// Latency: each scraper scrapes every 50 ms (an open loop, 1,000 scrapes/s in all), rounds alternated with a
// baseline: a bare node:http server answering the same bytes from a constant, measured in the same run.
// Memory: the server process's heap after a forced GC and its RSS, before and after 100,000 scrapes as fast as the
// 50 scrapers go (a closed loop).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { type Info, parseInfo, startExporter } from '@chronos/pgbackrest';
import { parsePolicy } from '@chronos/pgbackrest/policy';
import { runProcess } from '@chronos/pgbackrest/testing';
import { bySize, emit, type Figure, log, median, round3 } from '../lib/measure.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const root = process.cwd();
const probe = join(import.meta.dirname, '../probes/scrape-load.mjs');
const recorded = readFileSync(
  join(root, 'packages/core/test/fixtures/info/pgbackrest-2.45-s3-encrypted-plus-posix.json'),
  'utf8',
);
const example = JSON.parse(readFileSync(join(root, 'examples/chronos-policy.json'), 'utf8')) as Record<string, unknown>;
const STANZAS = 10;
const CONCURRENCY = 50;
const INTERVAL_MS = 50;
const scrapes = bySize({ smoke: 300, quick: 100_000, full: 300_000 });
const latencyScrapes = bySize({ smoke: 200, quick: 10_000, full: 20_000 });
const rounds = bySize({ smoke: 1, quick: 3, full: 5 });

const stanzas = Array.from({ length: STANZAS }, (_unused, i) => {
  const name = `stanza${i + 1}`;
  const info = parseInfo(recorded.replaceAll('"name":"demo"', `"name":"${name}"`)) as Info;
  const { $schema: _schema, ...rest } = example;
  const policy = parsePolicy(JSON.stringify({ ...rest, stanza: name }));
  return { stanza: name, policy, readInfo: async () => info };
});
const exporter = await startExporter({ stanzas, port: 0, interval: 3_600_000 });
await exporter.refresh();
const body = exporter.metrics();
const bareBytes = gzipSync(body);
const bare = createServer((_, response) => {
  response
    .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-encoding': 'gzip' })
    .end(bareBytes);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/metrics`;
log(
  `exposition of ${STANZAS} stanzas: ${body.length} bytes (${bareBytes.length} gzipped), ${body.split('\n').length} lines`,
);

interface Load {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}
async function load(url: string, count: number, interval = 0): Promise<Load> {
  const run = await runProcess({
    file: process.execPath,
    args: [probe, url, String(CONCURRENCY), String(count), String(interval)],
  });
  if (run.exitCode !== 0) throw new Error(`load generator failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Load;
}

const memory = () => {
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed / 2 ** 20, rss: usage.rss / 2 ** 20 };
};

await load(`${exporter.url}/metrics`, bySize({ smoke: 100, quick: 5_000, full: 5_000 }));
const subject: Load[] = [];
const baseline: Load[] = [];
for (let round = 0; round < rounds; round++) {
  const pair = round % 2 === 0 ? ['baseline', 'subject'] : ['subject', 'baseline'];
  for (const which of pair) {
    const result = await load(which === 'subject' ? `${exporter.url}/metrics` : bareUrl, latencyScrapes, INTERVAL_MS);
    (which === 'subject' ? subject : baseline).push(result);
    log(
      `${which} round ${round + 1}/${rounds}: ${result.requests} scrapes, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.perSecond.toFixed(0)}/s, ${result.errors} errors`,
    );
  }
}
const before = memory();
const flood = await load(`${exporter.url}/metrics`, scrapes);
log(`closed loop: ${flood.requests} scrapes, p99 ${flood.p99.toFixed(2)} ms, ${flood.perSecond.toFixed(0)}/s`);
const after = memory();
await exporter.stop();
await new Promise((resolve) => bare.close(resolve));

const p99 = median(subject.map((r) => r.p99));
const errors = subject.reduce((n, r) => n + r.errors, 0) + flood.errors;
const figures: Figure[] = [
  {
    name: `scrape p99 latency, ${STANZAS} cached stanzas, ${CONCURRENCY} scrapers each every ${INTERVAL_MS} ms`,
    value: round3(p99),
    unit: 'ms',
    ...(bySize({ smoke: false, quick: true, full: true }) ? { target: '<= 10 ms', pass: p99 <= 10 } : {}),
  },
  { name: 'scrape p50 latency', value: round3(median(subject.map((r) => r.p50))), unit: 'ms' },
  {
    name: `closed loop: ${CONCURRENCY} scrapers as fast as they go`,
    value: `${Math.round(flood.perSecond)} scrapes/s, p50 ${round3(flood.p50)} ms, p99 ${round3(flood.p99)} ms`,
  },
  { name: 'failed scrapes', value: errors, ...(errors === 0 ? { pass: true } : { pass: false }) },
  {
    name: `heap after GC, before and after ${flood.requests} scrapes`,
    value: `${round3(before.heap)} → ${round3(after.heap)}`,
    unit: 'MiB',
    target: 'growth <= 2 MiB',
    pass: after.heap - before.heap <= 2,
  },
  { name: 'RSS before and after', value: `${round3(before.rss)} → ${round3(after.rss)}`, unit: 'MiB' },
];
const ratios = subject.map((s, i) => s.p99 / (baseline[i]?.p99 ?? Number.NaN));
emit({
  scenario: 'exporter',
  comparisons: [
    {
      name: 'scrape p99: exporter vs a bare node:http server answering the same bytes',
      subject: round3(p99),
      baseline: round3(median(baseline.map((r) => r.p99))),
      unit: 'ms',
      ratio: round3(median(ratios)),
      rounds: ratios.length,
      note: `${body.length} bytes per scrape; the load generator runs in its own process on the same 2 cores`,
    },
  ],
  figures,
  notes: [],
});
