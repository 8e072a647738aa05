import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers/run-cli.js';

const INFO = `${FIXTURES}info-2.45-s3-encrypted-plus-posix.json`;
const [stanza] = JSON.parse(readFileSync(INFO, 'utf8')) as Array<{
  name: string;
  backup: Array<{ type: string; timestamp: { stop: number }; database: { 'repo-key': number } }>;
}>;

describe('chronos metrics', () => {
  it('prints the exposition with backup ages measured at --now', async () => {
    const now = '2026-11-25T00:00:00Z';
    const run = await runCli(['metrics', '--from-file', INFO, '--now', now]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^# HELP /);
    for (const backup of stanza!.backup) {
      const newest = Math.max(
        ...stanza!.backup
          .filter((b) => b.type === backup.type && b.database['repo-key'] === backup.database['repo-key'])
          .map((b) => b.timestamp.stop),
      );
      const line = `pgbackrest_backup_last_age_seconds{stanza="${stanza!.name}",repo="${backup.database['repo-key']}",type="${backup.type}"} ${Date.parse(now) / 1000 - newest}`;
      expect(run.stdout.split('\n')).toContain(line);
    }
  });

  it('adds the policy verdicts with --policy', async () => {
    const run = await runCli([
      'metrics',
      '--from-file',
      INFO,
      '--policy',
      `${FIXTURES}../../../../examples/chronos-policy.json`,
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^chronos_policy_status\{stanza="chronos"\} \d$/m);
  });
});
