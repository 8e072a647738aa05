// A small HTTP load generator: `node scrape-load.mjs <url> <scrapers> <requests> [intervalMs]` runs <scrapers>
// clients on keep-alive connections until <requests> GETs have answered, and prints one JSON line with the latency
// percentiles (ms), the throughput and the errors. With intervalMs each scraper starts a scrape every intervalMs
// (an open loop, as Prometheus servers scrape); without it each scrapes again as soon as it has an answer. Like
// Prometheus, every scrape asks for gzip (Accept-Encoding: gzip).
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url = '', concurrencyText = '50', totalText = '1000', intervalText = '0'] = process.argv.slice(2);
const interval = Number(intervalText);
const concurrency = Number(concurrencyText);
const total = Number(totalText);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = new Float64Array(total);
let issued = 0;
let done = 0;
let errors = 0;
let bytes = 0;

function one(): Promise<void> {
  const started = performance.now();
  return new Promise((resolve) => {
    request(url, { agent, headers: { 'accept-encoding': 'gzip' } }, (response) => {
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on('end', () => {
        if (response.statusCode !== 200) errors++;
        latencies[done++] = performance.now() - started;
        resolve();
      });
    })
      .on('error', () => {
        errors++;
        latencies[done++] = performance.now() - started;
        resolve();
      })
      .end();
  });
}

async function worker(index: number): Promise<void> {
  if (interval > 0) await new Promise((resolve) => setTimeout(resolve, (interval * index) / concurrency));
  while (issued < total) {
    issued++;
    const started = performance.now();
    await one();
    const left = interval - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, (_unused, index) => worker(index)));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
const sorted = [...latencies.subarray(0, done)].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({ requests: done, errors, seconds, perSecond: done / seconds, bytesPerResponse: bytes / Math.max(1, done), p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN })}\n`,
);
