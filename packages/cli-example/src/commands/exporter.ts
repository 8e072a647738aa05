import { DEFAULT_EXPORTER_PORT, type ExporterEvent, type ExporterStanza, startExporter } from '@chronos/pgbackrest';
import { durationSeconds } from '@chronos/pgbackrest/policy';
import type { CommandContext, CommandOutcome } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { transportFor } from '../pgbackrest.js';
import { loadPolicy } from '../policy-file.js';

function milliseconds(value: unknown, flag: string, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  try {
    return durationSeconds(value) * 1000;
  } catch {
    throw new UsageError(`${flag} must be a duration such as 30s, 1m or 1m30s, got "${value}"`);
  }
}

function describe(event: ExporterEvent): string {
  switch (event.type) {
    case 'listening':
      return `exporter: serving ${event.url}/metrics`;
    case 'refreshed':
      return `exporter: ${event.stanza} refreshed in ${event.seconds.toFixed(2)} s${event.up ? '' : ' (a repository did not answer)'}`;
    case 'refresh-failed':
      return `exporter: ${event.stanza} refresh failed after ${event.seconds.toFixed(2)} s (${event.kind}): ${event.message}`;
    case 'stopped':
      return 'exporter: stopped';
  }
}

/** `chronos exporter`: serves /metrics and /healthz until SIGTERM/SIGINT. */
export async function run(
  _args: string[],
  options: Record<string, unknown>,
  context: CommandContext,
): Promise<CommandOutcome> {
  const port = options['port'] === undefined ? DEFAULT_EXPORTER_PORT : Number(options['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${String(options['port'])}"`);
  const drillReport = typeof options['drillReport'] === 'string' ? options['drillReport'] : undefined;
  const verifyReport = typeof options['verifyReport'] === 'string' ? options['verifyReport'] : undefined;
  const reports = {
    ...(drillReport === undefined ? {} : { drillReport }),
    ...(verifyReport === undefined ? {} : { verifyReport }),
  };
  const stanzas: ExporterStanza[] = [];
  for (const path of (options['policy'] as string[] | undefined) ?? []) {
    const policy = await loadPolicy(path);
    const metricsFile = policy.restoreDrill?.metricsFile;
    stanzas.push({
      stanza: policy.stanza,
      policy,
      ...(metricsFile === undefined ? {} : { drillReport: metricsFile }),
      ...reports,
    });
  }
  for (const stanza of context.globals.stanzas ?? []) {
    if (!stanzas.some((s) => s.stanza === stanza)) stanzas.push({ stanza, ...reports });
  }
  if (stanzas.length === 0)
    throw new UsageError('no stanza to export: pass --stanza <name> (repeatable) or --policy <file> (repeatable)');
  const { globals } = context;
  let exporter: Awaited<ReturnType<typeof startExporter>>;
  try {
    exporter = await startExporter({
      stanzas,
      host: typeof options['address'] === 'string' ? options['address'] : '127.0.0.1',
      port,
      interval: milliseconds(options['interval'], '--interval', 60_000),
      timeout: milliseconds(options['timeout'], '--timeout', 30_000),
      pgbackrest: {
        transport: transportFor(globals),
        ...(globals.bin === undefined ? {} : { bin: globals.bin }),
        ...(globals.config === undefined ? {} : { config: globals.config }),
      },
      onEvent: (event) => context.progress(describe(event)),
      signal: context.signal,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(`port ${port} is in use: choose another with --port`);
    if (error instanceof Error && error.name === 'ExporterOptionsError') throw new UsageError(error.message);
    throw error;
  }
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    else context.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await exporter.stop();
  return {
    exitCode: ExitCode.Ok,
    result: { url: exporter.url, stanzas: stanzas.map((s) => s.stanza) },
    text: '',
  };
}
