import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { analyzeInfo } from '../../../src/analysis/index.js';
import { parseInfo } from '../../../src/info/index.js';
import { renderMetrics } from '../../../src/metrics/index.js';
import { evaluatePolicy, validatePolicy } from '../../../src/policy/index.js';

// Real `info --output=json` recorded on the 2.45 and 2.55.1 images: repo1 encrypted S3, repo2 posix; full, diff, incr.
const policy = validatePolicy({
  version: 1,
  stanza: 'demo',
  database: { path: '/var/lib/postgresql/data' },
  repositories: [
    {
      name: 's3',
      type: 's3',
      bucket: 'chronos',
      region: 'us-east-1',
      offsite: true,
      credentials: { type: 'auto' },
      retention: { full: { count: 2 } },
    },
    {
      name: 'posix',
      type: 'posix',
      path: '/var/lib/pgbackrest',
      offsite: false,
      retention: { full: { count: 2 } },
      encryption: { cipher: 'none' },
    },
  ],
  schedule: {
    full: { cron: '0 2 * * 0', timeZone: 'UTC' },
    diff: { cron: '0 2 * * 1-6', timeZone: 'UTC' },
    incr: { cron: '0 */4 * * *', timeZone: 'UTC' },
  },
  encryption: { cipher: 'aes-256-cbc', passphrase: { env: 'CIPHER_PASS' }, requiredFor: 'offsite' },
  archiving: { mode: 'continuous', async: false },
  objectives: { maxBackupAge: { full: '8d', diff: '26h', incr: '5h' } },
  redundancy: { copies: 3, storageKinds: 2, offsiteCopies: 1, countProduction: true },
});

describe.each(['2.45', '2.55.1'])('recorded pgBackRest %s info', (version) => {
  const text = readFileSync(
    fileURLToPath(new URL(`../../fixtures/recorded/${version}/info.json`, import.meta.url)),
    'utf8',
  );
  const info = parseInfo(text);
  const newestStop = Math.max(...info.flatMap((s) => s.backup.map((b) => b.timestamp.stop)));
  const now = new Date((newestStop + 600) * 1000);

  it('renders one series per backup and per repository/type, readable by a Prometheus parser', () => {
    const families = parsePrometheusTextFormat(renderMetrics(analyzeInfo(info, { now }), { now, policy }));
    const sizes = families.find((f) => f.name === 'pgbackrest_backup_size_bytes')?.metrics ?? [];
    expect(sizes.map((m) => m.labels?.['backup']).sort()).toEqual(info[0]!.backup.map((b) => b.label).sort());
    const last = families.find((f) => f.name === 'pgbackrest_backup_last_age_seconds')?.metrics ?? [];
    expect(last.map((m) => `${m.labels?.['repo']}/${m.labels?.['type']}`).sort()).toEqual([
      '1/diff',
      '1/full',
      '1/incr',
      '2/diff',
      '2/full',
      '2/incr',
    ]);
    expect(families.find((f) => f.name === 'chronos_policy_status')?.metrics[0]?.value).toBe('0');
  });

  it('meets a matching policy ten minutes after the last backup and breaks the incremental objective later', () => {
    expect(evaluatePolicy(policy, info, { now }).findings).toEqual([]);
    const later = evaluatePolicy(policy, info, { now: new Date(now.getTime() + 6 * 3_600_000) });
    expect(later.findings.map((f) => `${f.code}:${f.repository}:${f.backupType}`)).toEqual([
      'backup.too-old:s3:incr',
      'backup.too-old:posix:incr',
    ]);
  });
});
