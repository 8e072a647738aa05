import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgBackRestTimeoutError } from '../../../src/errors/index.js';
import { type Exporter, ExporterOptionsError, startExporter } from '../../../src/exporter/index.js';
import type { Info } from '../../../src/info/index.js';
import { validatePolicy } from '../../../src/policy/index.js';
import { recordedTwoRepos, twoRepoPolicyInput } from '../support/recorded-two-repos.js';

type Families = ReturnType<typeof parsePrometheusTextFormat>;

function value(families: Families, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (found === undefined) return undefined;
  return found.value === '+Inf' ? Number.POSITIVE_INFINITY : Number(found.value);
}

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/** Waits for an abort like a pgBackRest run that never answers, then fails as the client does. */
function hanging(run: { signal: AbortSignal; timeout: number }): Promise<Info> {
  return new Promise((_, reject) => {
    run.signal.addEventListener('abort', () => reject(new PgBackRestTimeoutError(run.timeout, {})), { once: true });
  });
}

const policy = validatePolicy(
  twoRepoPolicyInput({ maxBackupAge: { full: '8d', diff: '26h' }, maxDrillAge: '35d', maxVerificationAge: '8d' }),
);

describe('startExporter on recorded info', () => {
  let dir: string;
  let exporter: Exporter;
  let hangingStarted = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-exporter-'));
    await writeFile(
      join(dir, 'drill.json'),
      JSON.stringify({
        kind: 'chronos-restore-drill',
        schemaVersion: 1,
        outcome: 'proven',
        stanza: 'demo',
        repo: 1,
        finishedAt: '2026-12-01T06:00:00.000Z',
        timings: { totalSeconds: 42 },
        rpo: { behindNowSeconds: 3 },
        checksFailed: 0,
      }),
    );
    await mkdir(join(dir, 'verify'));
    await writeFile(join(dir, 'verify', 'older.json'), '{"not":"a report"}');
    await utimes(join(dir, 'verify', 'older.json'), new Date(0), new Date(0));
    await writeFile(
      join(dir, 'verify', 'verify.json'),
      JSON.stringify({
        schemaVersion: 1,
        command: 'verify-repo',
        exitCode: 1,
        result: {
          generatedAt: '2026-12-01T07:00:00.000Z',
          outcome: 'findings',
          settings: { deep: true },
          stanzas: [
            {
              name: 'demo',
              bytes: 1234,
              backups: [{ restorable: true }, { restorable: false }, { restorable: null }],
              cost: {
                monthly: 0.5,
                estimate: {
                  currency: 'USD',
                  storage: { monthly: 0.25 },
                  requests: { monthly: 0.75 },
                  restoreEgress: { bytes: 1, cost: 2 },
                },
              },
            },
          ],
          findings: [
            { severity: 'error', stanza: 'demo' },
            { severity: 'warning', stanza: 'other' },
          ],
          cost: { currency: 'USD' },
        },
      }),
    );
    exporter = await startExporter({
      port: 0,
      interval: 60_000,
      timeout: 300,
      stanzas: [
        {
          stanza: 'demo',
          policy,
          readInfo: async () => recordedTwoRepos,
          drillReport: join(dir, 'drill.json'),
          verifyReport: join(dir, 'verify'),
        },
        { stanza: 'unreported', readInfo: async () => [], drillReport: join(dir, 'missing.json') },
        {
          stanza: 'stuck',
          readInfo: (run) => {
            hangingStarted += 1;
            return hanging(run);
          },
        },
      ],
    });
    await exporter.refresh();
  });

  afterAll(async () => {
    await exporter?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the exposition on loopback with the Prometheus content type', async () => {
    expect(exporter.host).toBe('127.0.0.1');
    const response = await get(`${exporter.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusTextFormat(response.body);
    expect(new Set(families.map((f) => f.name)).size).toBe(families.length);
    expect(value(families, 'chronos_up', { stanza: 'demo' })).toBe(1);
    expect(value(families, 'chronos_refresh_success', { stanza: 'demo' })).toBe(1);
    expect(value(families, 'pgbackrest_stanza_status', { stanza: 'demo' })).toBe(0);
    expect(value(families, 'chronos_policy_max_verification_age_seconds', { stanza: 'demo' })).toBe(8 * 86_400);
    expect(value(families, 'chronos_drill_last_success_timestamp_seconds', { stanza: 'demo', repo: '1' })).toBe(
      Date.parse('2026-12-01T06:00:00.000Z') / 1000,
    );
    expect(value(families, 'chronos_verify_outcome', { stanza: 'demo' })).toBe(1);
    expect(value(families, 'chronos_verify_findings', { stanza: 'demo', severity: 'error' })).toBe(1);
    expect(value(families, 'chronos_verify_findings', { stanza: 'demo', severity: 'warning' })).toBe(0);
    expect(value(families, 'chronos_verify_backups', { stanza: 'demo', restorable: 'false' })).toBe(1);
    expect(value(families, 'chronos_repo_cost_monthly', { stanza: 'demo', component: 'storage' })).toBe(0.25);
    expect(value(families, 'chronos_repo_cost_monthly', { stanza: 'demo', component: 'requests' })).toBe(0.75);
    expect(value(families, 'chronos_repo_restore_egress_cost', { stanza: 'demo', currency: 'USD' })).toBe(2);
    expect(
      value(families, 'chronos_wal_archive_newest_seen_timestamp_seconds', { stanza: 'demo', repo: '1' }),
    ).toBeGreaterThan(0);
  });

  it('answers at once for a stanza whose pgBackRest does not answer: up 0, a timeout counted, data age +Inf', async () => {
    expect(hangingStarted).toBeGreaterThan(0);
    const families = parsePrometheusTextFormat(exporter.metrics());
    expect(value(families, 'chronos_up', { stanza: 'stuck' })).toBe(0);
    expect(value(families, 'chronos_refresh_success', { stanza: 'stuck' })).toBe(0);
    expect(value(families, 'chronos_refresh_errors_total', { stanza: 'stuck', kind: 'timeout' })).toBe(1);
    expect(value(families, 'chronos_refresh_errors_total', { stanza: 'demo', kind: 'timeout' })).toBe(0);
    expect(value(families, 'chronos_data_age_seconds', { stanza: 'stuck' })).toBe(Number.POSITIVE_INFINITY);
    expect(value(families, 'chronos_data_age_seconds', { stanza: 'demo' })).toBeLessThan(60);
    expect(value(families, 'chronos_refresh_duration_seconds', { stanza: 'stuck' })).toBeGreaterThanOrEqual(0.29);
    expect(value(families, 'chronos_refresh_errors_total', { stanza: 'unreported', kind: 'report' })).toBe(1);
    expect(value(families, 'chronos_refresh_success', { stanza: 'unreported' })).toBe(0);
    expect(value(families, 'chronos_up', { stanza: 'unreported' })).toBe(0);
  });

  it('answers many concurrent scrapes with the same complete exposition', async () => {
    const responses = await Promise.all(Array.from({ length: 40 }, () => get(`${exporter.url}/metrics`)));
    const strip = (body: string) => body.replace(/^chronos_data_age_seconds.*$/gm, '');
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(strip(response.body)).toBe(strip(responses[0]!.body));
    }
  });

  it('compresses the exposition for a scraper that asks for gzip, as Prometheus does, and not otherwise', async () => {
    const fetchRaw = (headers: Record<string, string>) =>
      new Promise<{ encoding: string | undefined; vary: string | undefined; bytes: Buffer }>((resolve, reject) => {
        request(`${exporter.url}/metrics`, { agent: false, headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              encoding: response.headers['content-encoding'],
              vary: response.headers.vary,
              bytes: Buffer.concat(chunks),
            }),
          );
        })
          .on('error', reject)
          .end();
      });
    const strip = (body: string) => body.replace(/^chronos_data_age_seconds.*$/gm, '');
    const plain = await fetchRaw({});
    const zipped = await fetchRaw({ 'accept-encoding': 'gzip' });
    const refused = await fetchRaw({ 'accept-encoding': 'gzip;q=0, identity' });
    expect(plain.encoding).toBeUndefined();
    expect(refused.encoding).toBeUndefined();
    expect(zipped.encoding).toBe('gzip');
    expect(zipped.vary).toBe('Accept-Encoding');
    expect(zipped.bytes.length).toBeLessThan(plain.bytes.length / 3);
    expect(strip(gunzipSync(zipped.bytes).toString())).toBe(strip(plain.bytes.toString()));
  });

  it('reports liveness on /healthz and 404 elsewhere', async () => {
    const health = await get(`${exporter.url}/healthz`);
    expect(health.status).toBe(200);
    const document = JSON.parse(health.body) as { stanzas: { stanza: string; up: boolean }[] };
    expect(document.stanzas.map((s) => [s.stanza, s.up])).toEqual([
      ['demo', true],
      ['unreported', false],
      ['stuck', false],
    ]);
    expect((await get(`${exporter.url}/nothing`)).status).toBe(404);
  });
});

describe('startExporter options and stop', () => {
  it('refuses bad options before it listens', async () => {
    await expect(startExporter({ stanzas: [] })).rejects.toThrow(ExporterOptionsError);
    await expect(
      startExporter({ stanzas: [{ stanza: 'a', readInfo: async () => [] }], timeout: 0, port: 0 }),
    ).rejects.toThrow(/timeout/);
    await expect(startExporter({ stanzas: [{ stanza: 'a b', readInfo: async () => [] }], port: 0 })).rejects.toThrow(
      /not a valid stanza/,
    );
  });

  it('stops a refresh in flight: the read is aborted and the port closes', async () => {
    let aborted = false;
    const exporter = await startExporter({
      port: 0,
      timeout: 60_000,
      stanzas: [
        {
          stanza: 'slow',
          readInfo: (run) => {
            run.signal.addEventListener('abort', () => {
              aborted = true;
            });
            return hanging(run);
          },
        },
      ],
    });
    const families = parsePrometheusTextFormat((await get(`${exporter.url}/metrics`)).body);
    expect(value(families, 'chronos_refresh_in_progress', { stanza: 'slow' })).toBe(1);
    await exporter.stop();
    expect(aborted).toBe(true);
    await expect(get(`${exporter.url}/metrics`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
