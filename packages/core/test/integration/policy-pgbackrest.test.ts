import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastDrillSuccess } from '../../src/drill/index.js';
import { parseInfo } from '../../src/info/index.js';
import { renderMetrics } from '../../src/metrics/index.js';
import {
  type CompiledPolicy,
  compilePolicy,
  evaluatePolicy,
  type Policy,
  type PolicyInput,
  validatePolicy,
} from '../../src/policy/index.js';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeNativeStack,
  probePgBackRest,
  type S3Endpoint,
  startNativeStack,
  startS3Endpoint,
  writeRows,
} from '../../src/testing/index.js';

const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());
const CLI = fileURLToPath(new URL('../../../cli-example/dist/cli.cjs', import.meta.url));
const cipherPass = `throwaway-${Math.random().toString(36).slice(2)}`;

describe.skipIf(skip)(skip ?? 'compiled policy drives real pgBackRest (posix + encrypted S3)', () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let dir: string;
  let policy: Policy;
  let compiled: CompiledPolicy;
  // The job scripts must map the policy's variable names onto pgBackRest's: the inherited PGBACKREST_* values are wrong.
  let env: Record<string, string>;

  async function runJob(kind: string) {
    const job = compiled.jobs.find((j) => j.kind === kind);
    if (!job) throw new Error(`no ${kind} job`);
    return stack.exec('sh', ['-c', job.script.join('\n')], { env, timeout: 240_000 });
  }

  async function pgbackrest(...args: string[]) {
    const exports = compiled.jobs[0]!.script.filter((line) => line.startsWith('export '));
    const command = [
      'pgbackrest',
      `--config=${join(dir, 'pgbackrest.conf')}`,
      `--stanza=${stack.stanza}`,
      ...args,
    ].join(' ');
    return stack.exec('sh', ['-c', [...exports, `exec ${command}`].join('\n')], { env, timeout: 240_000 });
  }

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'policy-compile' });
    stack = await startNativeStack({
      repos: [
        { type: 'posix', cipherPass },
        { type: 's3', endpoint: s3, cipherPass },
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'chronos-policy-'));
    await chmod(dir, 0o777);
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
          retention: { full: { days: 7 }, diff: { days: 7 } },
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
            accessKeyId: { env: 'CHRONOS_TEST_S3_KEY' },
            secretAccessKey: { env: 'CHRONOS_TEST_S3_SECRET' },
          },
          retention: { full: { days: 7 }, diff: { days: 7 } },
        },
      ],
      schedule: {
        full: { cron: '0 2 * * 0', timeZone: 'America/Toronto' },
        diff: { cron: '0 2 * * 1-6', timeZone: 'America/Toronto' },
      },
      encryption: { cipher: 'aes-256-cbc', passphrase: { env: 'CHRONOS_TEST_CIPHER_PASS' }, requiredFor: 'all' },
      compression: { type: 'gz' },
      archiving: { mode: 'continuous', async: false },
      objectives: { maxBackupAge: { full: '1h', diff: '1h' }, minRecoveryWindow: '1s' },
      redundancy: { copies: 3, storageKinds: 2, offsiteCopies: 1, countProduction: true },
      restoreDrill: {
        cron: '0 6 1 * *',
        timeZone: 'America/Toronto',
        repository: 'offsite',
        path: join(dir, 'drill'),
        checks: [
          { name: 'rows written before the backup', sql: 'SELECT count(*) FROM chronos_data', expect: '>=2000' },
        ],
        metricsFile: join(dir, 'drill.prom'),
      },
    };
    policy = validatePolicy(input);
    compiled = compilePolicy(policy, {
      version: stack.pgBackRestVersion,
      configPath: join(dir, 'pgbackrest.conf'),
      policyPath: join(dir, 'policy.json'),
    });
    await writeFile(join(dir, 'policy.json'), JSON.stringify(input), { mode: 0o644 });
    // The drill job runs `chronos` from PATH: the built CLI of this repository.
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'chronos'), `#!/bin/sh\nexec node ${CLI} "$@"\n`, { mode: 0o755 });
    await writeFile(join(dir, 'pgbackrest.conf'), compiled.config, { mode: 0o644 });
    env = {
      CHRONOS_TEST_CIPHER_PASS: cipherPass,
      CHRONOS_TEST_S3_KEY: s3.accessKeyId,
      CHRONOS_TEST_S3_SECRET: s3.secretAccessKey,
      PGBACKREST_REPO1_CIPHER_PASS: 'wrong',
      PGBACKREST_REPO2_CIPHER_PASS: 'wrong',
      PGBACKREST_REPO2_S3_KEY: 'wrong',
      PGBACKREST_REPO2_S3_KEY_SECRET: 'wrong',
      PGBACKREST_LOG_LEVEL_FILE: 'off',
      PGBACKREST_LOG_LEVEL_CONSOLE: 'off',
      PGBACKREST_LOG_LEVEL_STDERR: 'warn',
      // Not pgBackRest's default /tmp/pgbackrest: the machine's other runs may own it.
      PGBACKREST_LOCK_PATH: join(dir, 'lock'),
      PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    };
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the stanza and runs the scheduled full backup to both repositories', async () => {
    ensureSuccess('stanza-create', await pgbackrest('stanza-create'));
    await writeRows(stack, 2_000);
    ensureSuccess('check', await pgbackrest('check'));
    const full = await runJob('full');
    ensureSuccess('full job', full);
    expect(`${full.stdout}${full.stderr}`).not.toContain(cipherPass);
  }, 300_000);

  it('meets the policy judged from real info, and exports it as metrics', async () => {
    const info = ensureSuccess('info', await pgbackrest('info', '--output=json'));
    const parsed = parseInfo(info.stdout);
    const now = new Date(Date.now() + 60_000);
    const evaluation = evaluatePolicy(policy, parsed, { now });
    expect(evaluation.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(evaluation.redundancy).toEqual({
      copies: 3,
      storageKinds: 2,
      offsiteCopies: 1,
      repositoriesWithValidBackups: ['local', 'offsite'],
    });
    const stanza = parsed.find((s) => s.name === stack.stanza);
    expect(stanza?.repo?.map((r) => r.cipher)).toEqual(['aes-256-cbc', 'aes-256-cbc']);

    const families = parsePrometheusTextFormat(renderMetrics(parsed, { now, policy }));
    const ages = families.find((f) => f.name === 'pgbackrest_backup_last_age_seconds')?.metrics ?? [];
    expect(ages.filter((m) => m.labels?.['type'] === 'full').map((m) => m.labels?.['repo'])).toEqual(['1', '2']);
    expect(families.find((f) => f.name === 'chronos_policy_status')?.metrics[0]?.value).toBe('0');
  }, 120_000);

  it('finds the diff objective broken once the newest backup is older than allowed', async () => {
    const parsed = parseInfo(ensureSuccess('info', await pgbackrest('info', '--output=json')).stdout);
    const evaluation = evaluatePolicy(policy, parsed, { now: new Date(Date.now() + 2 * 3_600_000) });
    expect(
      evaluation.findings.filter((f) => f.code === 'backup.too-old').map((f) => `${f.repository}:${f.backupType}`),
    ).toEqual(['local:full', 'local:diff', 'offsite:full', 'offsite:diff']);
  }, 120_000);

  it('runs `chronos drill` from the policy: restored from the off-site repository, checked, removed, its gauges written', async () => {
    const drill = await runJob('restore-drill');
    ensureSuccess('drill job', drill);
    expect(`${drill.stdout}${drill.stderr}`).not.toContain(cipherPass);
    expect(existsSync(join(dir, 'drill'))).toBe(false);
    const metrics = await readFile(join(dir, 'drill.prom'), 'utf8');
    expect(metrics).toMatch(new RegExp(`chronos_drill_checks_failed\\{stanza="${stack.stanza}",repo="2"\\} 0`));
    const parsed = parseInfo(ensureSuccess('info', await pgbackrest('info', '--output=json')).stdout);
    const last = lastDrillSuccess(metrics, { stanza: stack.stanza });
    expect(last).not.toBeNull();
    const judged = (now: Date) =>
      evaluatePolicy({ ...policy, objectives: { ...policy.objectives, maxDrillAge: '1h' } }, parsed, {
        now,
        lastDrillSuccess: last,
      }).findings.filter((f) => f.code.startsWith('drill.'));
    expect(judged(new Date())).toEqual([]);
    expect(judged(new Date(Date.now() + 2 * 3_600_000)).map((f) => f.code)).toEqual(['drill.too-old']);
  }, 300_000);
});
