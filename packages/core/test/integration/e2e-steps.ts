import { readdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { VerifyRepositoryOptions as VerifyOptions } from '../../../s3-verify/src/index.js';
import type { PgBackRestClient } from '../../src/client/index.js';
import { formatTargetTime } from '../../src/pitr/index.js';
import type { Policy, PolicyInput } from '../../src/policy/index.js';
import { validatePolicy } from '../../src/policy/index.js';
import { ensureSuccess, type PgBackRestStack, type S3Endpoint } from '../../src/testing/index.js';

/** The three images of the end-to-end suite. */
export const E2E_IMAGES = [
  { image: 'chronos-pg:15-2.45', pgMajor: 15, pgBackRest: '2.45' },
  { image: 'chronos-pg:17-2.55.1', pgMajor: 17, pgBackRest: '2.55.1' },
  { image: 'chronos-pg:18-2.60.0', pgMajor: 18, pgBackRest: '2.60.0' },
] as const;

export const WAL_SEGMENT_SIZE = 16 * 1024 * 1024;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Samples the command line of every process on the host (container processes share the kernel's
 * /proc) until stopped, and keeps those that contain one of the secrets (redacted).
 */
export class ArgvWatch {
  readonly leaks = new Set<string>();
  samples = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(private readonly secrets: readonly string[]) {}

  start(intervalMs = 100): this {
    this.#timer = setInterval(() => void this.sample(), intervalMs);
    return this;
  }

  async sample(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (const pid of await readdir('/proc').catch(() => [])) {
        if (!/^\d+$/.test(pid)) continue;
        const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        for (const secret of this.secrets) {
          if (argv.includes(secret))
            this.leaks.add(`${pid}: ${argv.replaceAll('\0', ' ').replaceAll(secret, '<secret>')}`);
        }
      }
      this.samples++;
    } finally {
      this.#running = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Every string the suite saw (log lines, outputs, error messages, reports), to search for secrets at the end. */
export class Transcript {
  readonly texts: string[] = [];
  add(...values: unknown[]): void {
    for (const value of values) {
      if (typeof value === 'string') this.texts.push(value);
      else if (value instanceof Error)
        this.texts.push(`${value.name}: ${value.message}`, String(value.stack), JSON.stringify(value));
      else this.texts.push(JSON.stringify(value) ?? String(value));
    }
  }
  containing(secret: string): string[] {
    return this.texts.filter((t) => t.includes(secret)).map((t) => t.replaceAll(secret, '<secret>').slice(0, 300));
  }
}

/** `now()` of the database, as pgBackRest takes a target time. */
export async function databaseTime(stack: PgBackRestStack): Promise<string> {
  const text = (
    await stack.psql("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
  ).trim();
  return formatTargetTime(new Date(`${text.replace(' ', 'T')}Z`));
}

/** A scratch data directory next to the stack's own, owned by postgres and empty. */
export async function scratchDirectory(stack: PgBackRestStack, name: string): Promise<string> {
  const dir = `${dirname(stack.pg.dataPath)}/${name}`;
  ensureSuccess('mkdir scratch', await stack.exec('sh', ['-c', 'rm -rf "$1" && mkdir -m 700 "$1"', 'sh', dir]));
  return dir;
}

/** The 3-2-1 policy of the suite's layout: posix repo1 on site, encrypted S3 repo2 off site. */
export function layoutPolicy(stack: PgBackRestStack, s3: S3Endpoint): Policy {
  const input: PolicyInput = {
    version: 1,
    stanza: stack.stanza,
    database: { path: stack.pg.dataPath, port: stack.pg.port, socketPath: stack.pg.socketPath },
    repositories: [
      {
        name: 'local',
        type: 'posix',
        path: stack.repos[0]!.path,
        offsite: false,
        retention: { full: { count: 2 }, diff: { count: 2 } },
        encryption: { cipher: 'none' },
      },
      {
        name: 'offsite',
        type: 's3',
        bucket: s3.bucket,
        region: s3.region,
        endpoint: '127.0.0.1',
        port: s3.port,
        uriStyle: 'path',
        verifyTls: false,
        path: stack.repos[1]!.path,
        offsite: true,
        credentials: {
          type: 'shared',
          accessKeyId: { env: 'CHRONOS_E2E_S3_KEY' },
          secretAccessKey: { env: 'CHRONOS_E2E_S3_SECRET' },
        },
        retention: { full: { count: 2 }, diff: { count: 2 } },
        encryption: { cipher: 'aes-256-cbc', passphrase: { env: 'CHRONOS_E2E_CIPHER_PASS' } },
      },
    ],
    schedule: {
      full: { cron: '0 2 * * 0', timeZone: 'UTC' },
      diff: { cron: '0 2 * * 1-6', timeZone: 'UTC' },
      incr: { cron: '0 * * * *', timeZone: 'UTC' },
    },
    encryption: { cipher: 'aes-256-cbc', passphrase: { env: 'CHRONOS_E2E_CIPHER_PASS' }, requiredFor: 'offsite' },
    archiving: { mode: 'continuous', async: false },
    objectives: { maxBackupAge: { full: '1h', diff: '1h', incr: '1h' } },
    redundancy: { copies: 3, storageKinds: 2, offsiteCopies: 1, countProduction: true },
  };
  return validatePolicy(input);
}

/** Verify options for the endpoint (trusting its certificate, explicit test credentials). */
export function verifyOptions(s3: S3Endpoint, repoPath: string, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.url,
    tls: { caCert: s3.caCert },
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    repoPath,
    maxAttempts: 1,
    timeoutMs: 10_000,
    walSegmentSize: WAL_SEGMENT_SIZE,
    ...extra,
  };
}

/** Labels of the client's info for one repository, oldest first. */
export async function labels(client: PgBackRestClient, repo: number): Promise<string[]> {
  const [stanza] = await client.info({ repo });
  return (stanza?.backup ?? []).map((b) => b.label);
}
