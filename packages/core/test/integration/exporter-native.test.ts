import { createServer, type Server, type Socket } from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyCommandOptions } from '../../src/catalogue/options.generated.js';
import { runProcess } from '../../src/exec/process.js';
import { type Exporter, startExporter } from '../../src/exporter/index.js';
import {
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  type S3Endpoint,
  secretEnvToOptions,
  stackTransport,
  startNativeStack,
  startS3Endpoint,
  switchWal,
} from '../../src/testing/index.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());
const cipherPass = `throwaway-${Math.random().toString(36).slice(2)}`;

type Families = ReturnType<typeof parsePrometheusTextFormat>;

function value(families: Families, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = families
    .find((f) => f.name === name)
    ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (found === undefined) return undefined;
  return found.value === '+Inf' ? Number.POSITIVE_INFINITY : Number(found.value);
}

async function scrape(url: string): Promise<{ families: Families; ms: number; status: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  return { families: parsePrometheusTextFormat(text), ms: performance.now() - started, status: response.status };
}

/** pgBackRest processes still running with this stack's configuration. */
async function pgbackrestProcesses(configPath: string): Promise<string[]> {
  const ps = await runProcess({ file: 'ps', args: ['-eo', 'pid,args'], timeout: 10_000 });
  return ps.stdout.split('\n').filter((line) => line.includes('pgbackrest') && line.includes(configPath));
}

describe.skipIf(skip)(skip ?? 'exporter against a native stack (PostgreSQL 15, posix + encrypted S3)', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let blackHole: Server;
  const held = new Set<Socket>();
  let blackHolePort = 0;

  const exporterFor = (overrides: Partial<AnyCommandOptions>, timeout: number): Promise<Exporter> =>
    startExporter({
      port: 0,
      timeout,
      interval: 600_000,
      stanzas: [{ stanza: stack.stanza }],
      pgbackrest: {
        config: stack.configPath,
        transport: stackTransport(stack.transport),
        version: stack.pgBackRestVersion,
        options: { ...(secretEnvToOptions(stack.secretEnv()) as unknown as Partial<AnyCommandOptions>), ...overrides },
      },
    });

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'exporter-native' });
    stack = await startNativeStack({
      repos: [{ type: 'posix' }, { type: 's3', endpoint: s3, encrypted: true, cipherPass }],
    });
    await stack.client.stanzaCreate();
    await switchWal(stack);
    for (const repo of [1, 2]) await stack.client.backup({ type: 'full', repo, 'start-fast': true });
    blackHole = createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    blackHolePort = (blackHole.address() as { port: number }).port;
  }, 300_000);

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => blackHole?.close(resolve));
    await stack?.stop();
    await s3?.stop();
  });

  it('exports both repositories of the live stack, and answers 50 concurrent scrapes from memory', async () => {
    const exporter = await exporterFor({}, 60_000);
    try {
      await exporter.refresh();
      const { families } = await scrape(exporter.url);
      const s = { stanza: stack.stanza };
      expect(value(families, 'chronos_up', s)).toBe(1);
      expect(value(families, 'chronos_refresh_success', s)).toBe(1);
      expect(value(families, 'pgbackrest_repo_status', { ...s, repo: '1' })).toBe(0);
      expect(value(families, 'pgbackrest_repo_status', { ...s, repo: '2' })).toBe(0);
      expect(value(families, 'pgbackrest_repo_encrypted', { ...s, repo: '2' })).toBe(1);
      expect(value(families, 'pgbackrest_backups', { ...s, repo: '2', type: 'full' })).toBe(1);
      const stop = value(families, 'pgbackrest_backup_last_completion_timestamp_seconds', {
        ...s,
        repo: '1',
        type: 'full',
      });
      expect(Date.now() / 1000 - (stop ?? 0)).toBeLessThan(600);
      expect(value(families, 'chronos_data_age_seconds', s)).toBeLessThan(60);
      const text = await (await fetch(`${exporter.url}/metrics`)).text();
      expect(text).not.toContain(cipherPass);
      expect(text).not.toContain(s3.secretAccessKey);
      const many = await Promise.all(Array.from({ length: 50 }, () => scrape(exporter.url)));
      for (const result of many) {
        expect(result.status).toBe(200);
        expect(value(result.families, 'chronos_up', s)).toBe(1);
      }
    } finally {
      await exporter.stop();
    }
  }, 120_000);

  it('keeps answering within a second when the S3 repository does not answer: refresh times out, chronos_up 0, no pgBackRest left', async () => {
    const exporter = await exporterFor({ 'repo2-storage-port': blackHolePort }, 4_000);
    try {
      const scrapes: number[] = [];
      let during: Families | undefined;
      const refreshing = exporter.refresh();
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        const result = await scrape(exporter.url);
        scrapes.push(result.ms);
        during ??= result.families;
      }
      expect(value(during!, 'chronos_refresh_in_progress', { stanza: stack.stanza })).toBe(1);
      expect(value(during!, 'chronos_up', { stanza: stack.stanza })).toBe(0);
      await refreshing;
      expect(held.size).toBeGreaterThan(0);
      const { families, ms } = await scrape(exporter.url);
      expect(Math.max(...scrapes, ms)).toBeLessThan(1_000);
      const s = { stanza: stack.stanza };
      expect(value(families, 'chronos_up', s)).toBe(0);
      expect(value(families, 'chronos_refresh_success', s)).toBe(0);
      expect(value(families, 'chronos_refresh_errors_total', { ...s, kind: 'timeout' })).toBe(1);
      expect(value(families, 'chronos_data_age_seconds', s)).toBe(Number.POSITIVE_INFINITY);
      expect(value(families, 'chronos_refresh_duration_seconds', s)).toBeGreaterThanOrEqual(3.9);
      const gone = Date.now() + 5_000;
      while ((await pgbackrestProcesses(stack.configPath)).length > 0 && Date.now() < gone)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await pgbackrestProcesses(stack.configPath)).toEqual([]);
    } finally {
      await exporter.stop();
    }
  }, 120_000);

  it('stops mid-refresh: the running pgBackRest is killed and nothing is left', async () => {
    const exporter = await exporterFor({ 'repo2-storage-port': blackHolePort }, 60_000);
    const deadline = Date.now() + 10_000;
    while ((await pgbackrestProcesses(stack.configPath)).length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await pgbackrestProcesses(stack.configPath)).length).toBeGreaterThan(0);
    const started = performance.now();
    await exporter.stop();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await pgbackrestProcesses(stack.configPath)).toEqual([]);
    await expect(fetch(`${exporter.url}/metrics`)).rejects.toThrow();
  }, 60_000);
});
