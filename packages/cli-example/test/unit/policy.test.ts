import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, REPO_ROOT, runCli } from '../helpers/run-cli.js';

const POLICY = join(REPO_ROOT, 'examples/chronos-policy.json');

const scratch = mkdtempSync(join(tmpdir(), 'chronos-policy-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tempFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe('chronos policy schedule', () => {
  it('fires at 02:00 Toronto = 07:00Z in January (full on Sunday, diff on Monday)', async () => {
    const run = await runCli([
      'policy',
      'schedule',
      POLICY,
      '--from',
      '2027-01-02T12:00:00Z',
      '--count',
      '2',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    expect(envelope(run).result.runs).toEqual([
      {
        type: 'full',
        utc: '2027-01-03T07:00:00.000Z',
        local: '2027-01-03T02:00:00-05:00',
        timeZone: 'America/Toronto',
      },
      {
        type: 'diff',
        utc: '2027-01-04T07:00:00.000Z',
        local: '2027-01-04T02:00:00-05:00',
        timeZone: 'America/Toronto',
      },
    ]);
  });

  it('fires at 02:00 Toronto = 06:00Z in July', async () => {
    const run = await runCli([
      'policy',
      'schedule',
      POLICY,
      '--from',
      '2027-07-03T12:00:00Z',
      '--count',
      '2',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    const runs = envelope(run).result.runs as Array<{ type: string; utc: string }>;
    expect(runs.map((r) => [r.type, r.utc])).toEqual([
      ['full', '2027-07-04T06:00:00.000Z'],
      ['diff', '2027-07-05T06:00:00.000Z'],
    ]);
  });

  it('prints a table for people', async () => {
    const run = await runCli(['policy', 'schedule', POLICY, '--from', '2027-01-02T12:00:00Z', '--count', '1']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^type\s+UTC\s+local/);
    expect(run.stdout).toMatch(/full\s+2027-01-03T07:00:00.000Z\s+2027-01-03T02:00:00-05:00\s+America\/Toronto/);
  });

  it.each([
    [['--count', '0'], '--count must be a positive integer'],
    [['--count', 'ten'], '--count must be a positive integer'],
    [['--from', 'tomorrow'], '--from must be an ISO-8601 instant'],
  ])('rejects %j with exit code 2', async (flags, message) => {
    const run = await runCli(['policy', 'schedule', POLICY, ...flags]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('rejects a malformed policy file with exit code 2', async () => {
    const path = tempFile('broken.json', '{ "version": 1, "stanza": ');
    const run = await runCli(['policy', 'schedule', path, '--json']);
    expect(run.exitCode).toBe(2);
    expect(envelope(run).error).toMatchObject({ type: 'UsageError' });
    expect(envelope(run).error.message).toContain('not valid JSON or YAML');
  });
});

describe('chronos policy validate', () => {
  it('accepts the reference policy', async () => {
    const run = await runCli(['policy', 'validate', POLICY]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('valid');
  });

  it('lists every issue with its path and exits 1', async () => {
    const path = tempFile(
      'invalid.json',
      JSON.stringify({ version: 1, stanza: 'x', repositories: [], schedule: { full: { cron: '0 2 * * 0' } } }),
    );
    const run = await runCli(['policy', 'validate', path, '--json']);
    expect(run.exitCode).toBe(1);
    const { result } = envelope(run);
    expect(result.valid).toBe(false);
    expect(result.issues.length).toBeGreaterThan(0);
    expect(result.issues.map((i: { path: string }) => i.path)).toContain('schedule.full.timeZone');
  });

  it('refuses an inline secret without echoing it', async () => {
    const secret = 'Sup3r-Secret-Passphrase!';
    const document = JSON.parse((await import('node:fs')).readFileSync(POLICY, 'utf8')) as {
      encryption: { passphrase: unknown };
    };
    document.encryption.passphrase = secret;
    const path = tempFile('inline-secret.json', JSON.stringify(document));
    const run = await runCli(['policy', 'validate', path]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('encryption.passphrase');
    expect(run.stdout + run.stderr).not.toContain(secret);
  });
});

describe('chronos policy compile', () => {
  it('renders pgbackrest.conf with time-based retention and secrets only by reference', async () => {
    const run = await runCli(['policy', 'compile', POLICY, '--format', 'conf'], {
      env: { CHRONOS_REPO_CIPHER_PASS: 'not-to-be-printed-7781' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('repo2-s3-bucket=project-chronos-backups');
    expect(run.stdout).toContain('repo1-retention-full-type=time');
    expect(run.stdout).not.toContain('not-to-be-printed-7781');
    expect(run.stdout).not.toMatch(/cipher-pass=/);
  });

  it('emits crontab entries pinned to America/Toronto', async () => {
    const run = await runCli(['policy', 'compile', POLICY, '--format', 'crontab']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('CRON_TZ=America/Toronto');
    expect(run.stdout).toMatch(/^0 2 \* \* 0 /m);
  });
});

describe('chronos policy check', () => {
  it('judges a recorded repository against the reference policy: critical findings exit 1', async () => {
    const info = join(REPO_ROOT, 'packages/cli-example/test/fixtures/info-2.45-s3-encrypted-plus-posix.json');
    const run = await runCli([
      'policy',
      'check',
      POLICY,
      '--from-file',
      info,
      '--stanza',
      'demo',
      '--now',
      '2026-11-24T06:00:00Z',
      '--json',
    ]);
    expect(run.exitCode).toBe(1);
    const { result } = envelope(run);
    expect(result.stanza).toBe('demo');
    expect(result.status).toBe('critical');
    expect(result.findings.map((f: { code: string }) => f.code)).toContain('recovery-window.too-short');
  });
  it('takes the newest restorable instant from a verify report (--verify-report)', async () => {
    const info = join(REPO_ROOT, 'packages/cli-example/test/fixtures/info-2.45-s3-encrypted-plus-posix.json');
    const check = (...extra: string[]) =>
      runCli([
        'policy',
        'check',
        POLICY,
        '--from-file',
        info,
        '--stanza',
        'demo',
        '--now',
        '2026-11-24T06:00:00Z',
        '--json',
        ...extra,
      ]);
    const codes = (run: Awaited<ReturnType<typeof runCli>>) =>
      envelope(run).result.findings.map((f: { code: string }) => f.code) as string[];
    const report = (lastCommit: string) => ({
      schemaVersion: 1,
      command: 'verify-repo',
      exitCode: 0,
      result: {
        schemaVersion: 1,
        stanzas: [
          {
            name: 'demo',
            newestRestorableInstant: {
              archiveId: '15-1',
              timeline: 1,
              newestSegment: '000000010000000000000009',
              segmentsRead: ['000000010000000000000009'],
              lastCommit: { at: lastCommit, xid: 800, lsn: '0/9000100', segment: '000000010000000000000009' },
              lastCheckpoint: null,
              damagedRecords: 0,
            },
          },
        ],
      },
    });
    expect(codes(await check())).toContain('archive.lag-unknown');
    const stale = await check(
      '--verify-report',
      tempFile('stale.json', JSON.stringify(report('2026-11-24T05:00:00Z'))),
    );
    expect(codes(stale)).toContain('archive.lag');
    expect(codes(stale)).not.toContain('archive.lag-unknown');
    const fresh = await check(
      '--verify-report',
      tempFile('fresh.json', JSON.stringify(report('2026-11-24T05:59:00Z'))),
    );
    expect(codes(fresh)).not.toContain('archive.lag');

    const wrong = await check('--verify-report', info);
    expect(wrong.exitCode).toBe(2);
    expect(envelope(wrong).error.message).toMatch(/--verify-report .*not a verify report/);
  });
});
