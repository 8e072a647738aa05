import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createPgBackRest, type PgBackRestClientOptions } from '../client/pgbackrest-client.js';
import { isPgBackRestError } from '../errors/index.js';
import type { Info } from '../info/index.js';
import type { Policy } from '../policy/schema.js';
import {
  initialState,
  noteWal,
  type RefreshErrorKind,
  renderScrapeMetrics,
  renderStateMetrics,
  type StanzaState,
} from './exporter-metrics.js';
import { ReportFileError, readDrillFacts, readVerifyFacts } from './report-files.js';

/** Default port of {@link startExporter}. */
export const DEFAULT_EXPORTER_PORT = 9847;

/** One stanza the exporter watches. */
export interface ExporterStanza {
  readonly stanza: string;
  /** The policy whose objectives and verdicts are exported for this stanza. */
  readonly policy?: Policy;
  /** A drill's JSON report or Prometheus textfile, or a directory of them (the newest is read). */
  readonly drillReport?: string;
  /** A verify-s3 / verify-repo JSON report (or the CLI's `--json` output), or a directory of them (the newest is read). */
  readonly verifyReport?: string;
  /**
   * Reads info for the stanza; default `info --output=json` through a client made from {@link ExporterOptions.pgbackrest}.
   * It must honour the signal: the exporter aborts it at the refresh timeout and on stop.
   */
  readonly readInfo?: (run: { readonly signal: AbortSignal; readonly timeout: number }) => Promise<Info>;
}

/** Something the exporter did, for logs. Carries no secret (error messages are the SDK's redacted ones). */
export type ExporterEvent =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'refreshed'; readonly stanza: string; readonly seconds: number; readonly up: boolean }
  | {
      readonly type: 'refresh-failed';
      readonly stanza: string;
      readonly seconds: number;
      readonly kind: RefreshErrorKind;
      readonly message: string;
    }
  | { readonly type: 'stopped' };

/** Options of {@link startExporter}. */
export interface ExporterOptions {
  readonly stanzas: readonly ExporterStanza[];
  /** Address to listen on; default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Port; default {@link DEFAULT_EXPORTER_PORT}; 0 picks a free one. */
  readonly port?: number;
  /** Milliseconds between the end of one refresh of a stanza and the start of the next; default 60 000. */
  readonly interval?: number;
  /** Milliseconds a refresh of one stanza may take before pgBackRest is killed; default 30 000. */
  readonly timeout?: number;
  /** How pgBackRest runs (binary, config, transport, options with secrets) for stanzas without their own `readInfo`. */
  readonly pgbackrest?: Omit<PgBackRestClientOptions, 'stanza' | 'timeout'>;
  readonly onEvent?: (event: ExporterEvent) => void;
  /** Stops the exporter when aborted. */
  readonly signal?: AbortSignal;
}

/** A running exporter. */
export interface Exporter {
  /** `http://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The exposition a scrape of `/metrics` gets now. */
  metrics(): string;
  /** Refreshes every stanza now (waits for refreshes already running instead of starting others). */
  refresh(): Promise<void>;
  /** Stops refreshing (a running pgBackRest is killed), closes the server and waits until nothing is left. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Bad exporter options: says which and what to give instead. */
export class ExporterOptionsError extends Error {
  override readonly name = 'ExporterOptionsError';
}

const EXPOSITION_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function errorKind(error: unknown): RefreshErrorKind {
  if (error instanceof ReportFileError) return 'report';
  if (isPgBackRestError(error)) return error.kind;
  return 'other';
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** 1 when every repository of the stanza answered: no repository and not the stanza itself in status 99 ("other"). */
function answered(info: Info, stanza: string): boolean {
  const entry = info.find((s) => s.name === stanza);
  if (!entry || entry.status.code === 99) return false;
  return (entry.repo ?? []).every((repo) => repo.status.code !== 99);
}

function validate(options: ExporterOptions): void {
  if (options.stanzas.length === 0)
    throw new ExporterOptionsError('no stanza to export: give at least one stanza (or a policy naming one)');
  const names = new Set<string>();
  for (const entry of options.stanzas) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(entry.stanza))
      throw new ExporterOptionsError(`stanza "${entry.stanza}" is not a valid stanza name`);
    if (names.has(entry.stanza)) throw new ExporterOptionsError(`stanza "${entry.stanza}" is given twice`);
    names.add(entry.stanza);
  }
  for (const [name, value, min] of [
    ['interval', options.interval, 1],
    ['timeout', options.timeout, 1],
    ['port', options.port, 0],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < min || (name === 'port' && value > 65_535)))
      throw new ExporterOptionsError(`${name} must be an integer ${name === 'port' ? 'from 0 to 65535' : '≥ 1 ms'}`);
  }
}

/**
 * Starts a Prometheus exporter: an HTTP server with `/metrics` and `/healthz`, and a background refresh per stanza
 * that runs `pgbackrest info` with a timeout and reads the newest drill and verification reports. Scrapes are answered
 * from memory and never wait on pgBackRest: when it or a repository does not answer, a scrape still answers at once
 * with `chronos_up 0`, `chronos_refresh_success 0` and the age of the data held (`chronos_data_age_seconds`).
 *
 * @throws ExporterOptionsError on bad options, before anything starts.
 * @example
 * const exporter = await startExporter({
 *   stanzas: [{ stanza: 'main', policy, drillReport: '/var/lib/chronos/drill.json' }],
 *   pgbackrest: { transport: { kind: 'local', runAs: { user: 'postgres' } } },
 *   port: 9847,
 * });
 * process.once('SIGTERM', () => void exporter.stop());
 */
export async function startExporter(options: ExporterOptions): Promise<Exporter> {
  validate(options);
  const interval = options.interval ?? 60_000;
  const timeout = options.timeout ?? 30_000;
  const emit = options.onEvent ?? (() => {});
  const stopController = new AbortController();
  const entries = options.stanzas.map((entry) => {
    const client =
      entry.readInfo === undefined ? createPgBackRest({ ...options.pgbackrest, stanza: entry.stanza }) : undefined;
    const readInfo =
      entry.readInfo ??
      ((run: { signal: AbortSignal; timeout: number }) =>
        (client as NonNullable<typeof client>).info({}, { signal: run.signal, timeout: run.timeout }));
    return { entry, readInfo, state: initialState(entry.stanza, entry.policy) };
  });
  const states = entries.map((e) => e.state);
  let body = Buffer.from(renderStateMetrics(states, new Date()));
  let served: Exposition | undefined;
  const publish = () => {
    body = Buffer.from(renderStateMetrics(states, new Date()));
    served = undefined;
  };
  const exposition = (now: number): Exposition => {
    const second = Math.floor(now / 1000);
    if (served?.second !== second) {
      served = { second, plain: Buffer.concat([body, Buffer.from(renderScrapeMetrics(states, now))]) };
    }
    return served;
  };
  const running = new Map<StanzaState, Promise<void>>();
  const timers = new Map<StanzaState, NodeJS.Timeout>();
  const reads = new Set<Promise<unknown>>();
  let stopping = false;

  const refreshOne = async (item: (typeof entries)[number]): Promise<void> => {
    const { state, entry } = item;
    state.refreshing = true;
    publish();
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`refresh timed out after ${timeout} ms`)), timeout);
    const signal = AbortSignal.any([stopController.signal, deadline.signal]);
    const failures: { kind: RefreshErrorKind; message: string }[] = [];
    try {
      const read = item.readInfo({ signal, timeout });
      reads.add(read);
      void read.then(
        () => reads.delete(read),
        () => reads.delete(read),
      );
      const info = await Promise.race([read, aborted(signal)]);
      const now = Date.now();
      state.info = info;
      state.readAt = now;
      state.up = answered(info, state.stanza);
      noteWal(state, info, now);
    } catch (error) {
      state.up = false;
      const kind = stopping ? 'aborted' : deadline.signal.aborted ? 'timeout' : errorKind(error);
      failures.push({ kind, message: firstLine(error) });
    } finally {
      clearTimeout(timer);
    }
    if (!stopping) {
      for (const [path, read, key] of [
        [entry.drillReport, readDrillFacts, 'drill'],
        [entry.verifyReport, readVerifyFacts, 'verify'],
      ] as const) {
        if (path === undefined) continue;
        try {
          // biome-ignore lint/suspicious/noExplicitAny: both readers return their own facts type for their key
          (state as any)[key] = await read(path, state.stanza);
        } catch (error) {
          failures.push({ kind: errorKind(error), message: firstLine(error) });
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    state.refreshing = false;
    state.refreshes += 1;
    state.lastDurationSeconds = seconds;
    state.refreshSuccess = failures.length === 0;
    for (const failure of failures) {
      state.errors.set(failure.kind, (state.errors.get(failure.kind) ?? 0) + 1);
      emit({ type: 'refresh-failed', stanza: state.stanza, seconds, ...failure });
    }
    if (failures.length === 0) emit({ type: 'refreshed', stanza: state.stanza, seconds, up: state.up });
    publish();
  };

  const refresh = (item: (typeof entries)[number]): Promise<void> => {
    const current = running.get(item.state);
    if (current) return current;
    if (stopping) return Promise.resolve();
    clearTimeout(timers.get(item.state));
    const run = refreshOne(item).finally(() => {
      running.delete(item.state);
      if (stopping) return;
      timers.set(
        item.state,
        setTimeout(() => void refresh(item), interval),
      );
    });
    running.set(item.state, run);
    return run;
  };

  const scrape = () => exposition(Date.now()).plain.toString();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      const served = exposition(Date.now());
      const gzip = acceptsGzip(request.headers['accept-encoding']);
      if (gzip && served.gzip === undefined) served.gzip = gzipSync(served.plain);
      const bytes = gzip && served.gzip !== undefined ? served.gzip : served.plain;
      response.writeHead(200, {
        'content-type': EXPOSITION_TYPE,
        'content-length': bytes.length,
        vary: 'Accept-Encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      response.end(request.method === 'HEAD' ? undefined : bytes);
    } else if (path === '/healthz') {
      const now = Date.now();
      const document = {
        status: 'ok',
        stanzas: states.map((s) => ({
          stanza: s.stanza,
          up: s.up,
          refreshSuccess: s.refreshSuccess,
          dataAgeSeconds: s.readAt === undefined ? null : (now - s.readAt) / 1000,
        })),
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(document)}\n`);
    } else if (path === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<html><body><a href="/metrics">/metrics</a> <a href="/healthz">/healthz</a></body></html>\n');
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
    }
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_EXPORTER_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  emit({ type: 'listening', url });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      stopController.abort(new Error('exporter stopped'));
      await Promise.allSettled([...running.values(), ...reads]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      emit({ type: 'stopped' });
    })();
    return stopped;
  };
  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  if (options.signal?.aborted) await stop();
  for (const item of entries) void refresh(item);

  return {
    url,
    host,
    port,
    metrics: scrape,
    refresh: async () => {
      await Promise.all(entries.map((item) => running.get(item.state) ?? refresh(item)));
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** One scrape's bytes, shared by every scrape within the same second (the data age has a resolution of 1 s). */
interface Exposition {
  second: number;
  plain: Buffer;
  gzip?: Buffer;
}

function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip') return false;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
