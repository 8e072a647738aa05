import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('chronos drill without a drill to run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-drill-unit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [['--scratch', '/srv/drill', '--check-sql', 'SELECT 1'], /one --expect for each --check-sql/],
    [['--scratch', '/srv/drill', '--check-sql', 'SELECT 1', '--expect', '=1'], /'>=N'/],
    [[], /give --scratch/],
    [['--image', 'chronos-pg:15-2.45'], /--image .* --docker/],
    [['--immediate', '--time', '2026-11-24T02:00:00Z', '--scratch', '/srv/drill'], /one restore target/],
  ])('refuses %j with exit 2', async (args, message) => {
    const run = await runCli(['--stanza', 'main', 'drill', ...args]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('exits 3 when pgBackRest cannot run, and keeps the last success in the metrics file', async () => {
    const metrics = join(dir, 'drill.prom');
    await writeFile(
      metrics,
      'chronos_drill_last_success_timestamp_seconds{stanza="main",repo="2"} 1764640000\nchronos_drill_checks_failed{stanza="main",repo="2"} 0\n',
    );
    const run = await runCli([
      '--stanza',
      'main',
      '--bin',
      join(dir, 'no-such-pgbackrest'),
      '--user',
      'postgres',
      'drill',
      '--scratch',
      join(dir, 'scratch'),
      '--metrics-file',
      metrics,
    ]);
    expect(run.exitCode).toBe(3);
    const text = await readFile(metrics, 'utf8');
    expect(text).toContain('chronos_drill_last_success_timestamp_seconds{stanza="main",repo="2"} 1764640000');
    expect(text).toContain('chronos_drill_checks_failed{stanza="main",repo="2"} 1');
  });
});
