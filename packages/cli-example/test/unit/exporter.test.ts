import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runCli } from '../helpers/run-cli.js';

/** Processes whose command line contains `marker`. */
async function processesWith(marker: string): Promise<string[]> {
  const ps = await runProcess({ file: 'ps', args: ['-eo', 'pid,args'], timeout: 10_000 });
  return ps.stdout.split('\n').filter((line) => line.includes(marker) && !line.includes(' ps -eo'));
}

describe('chronos exporter', () => {
  let dir: string;
  let fake: string;
  const seconds = String(3000 + Math.floor(Math.random() * 900));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-exporter-cli-'));
    fake = join(dir, 'pgbackrest');
    // A pgBackRest that never answers (as with an unreachable repository), with a child of its own: per stanza a
    // shell and its sleep.
    await writeFile(fake, `#!/bin/sh\nsleep ${seconds}\n`);
    await chmod(fake, 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops on SIGTERM in the middle of a refresh: exit 0, the hanging pgBackRest and its child gone', async () => {
    const child = spawn(
      process.execPath,
      [CLI, '--stanza', 'main', '--stanza', 'other', '--bin', fake, 'exporter', '--port', '0', '--timeout', '60s'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      while (!/serving (http:\S+)\/metrics/.test(stderr) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const url = /serving (http:\S+)\/metrics/.exec(stderr)?.[1];
      expect(url, stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // One hanging `info` per stanza (info needs no version detection, so nothing else runs).
      while ((await processesWith(`sleep ${seconds}`)).length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await processesWith(`sleep ${seconds}`)).toHaveLength(2);
      const started = performance.now();
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(text).toContain('chronos_refresh_in_progress{stanza="main"} 1');
      expect(text).toContain('chronos_up{stanza="other"} 0');
      expect(text).toContain('chronos_data_age_seconds{stanza="main"} +Inf');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('exporter: stopped');
      expect(await processesWith(`sleep ${seconds}`)).toEqual([]);
      await expect(fetch(`${url}/metrics`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('refuses to start without a stanza, and on a bad duration', async () => {
    const none = await runCli(['exporter', '--port', '0']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no stanza to export');
    const bad = await runCli(['--stanza', 'main', 'exporter', '--port', '0', '--timeout', 'soon']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--timeout must be a duration');
  });

  it('compiles the policy into Prometheus alerting rules', async () => {
    const run = await runCli([
      'policy',
      'compile',
      join(REPO_ROOT, 'examples/chronos-policy.json'),
      '--format',
      'prometheus-rules',
      '--json',
    ]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout).result as {
      groups: { rules: { alert: string; labels: { severity: string } }[] }[];
    };
    const alerts = result.groups[0]!.rules.map((r) => r.alert);
    expect(alerts).toEqual(
      expect.arrayContaining([
        'ChronosFullBackupTooOld',
        'ChronosDiffBackupTooOld',
        'ChronosArchiveLag',
        'ChronosRecoveryWindowTooShort',
        'ChronosExporterDown',
      ]),
    );
    expect(alerts).not.toContain('ChronosIncrBackupTooOld');
  });
});
