// Runs the benchmark scenarios, one child process each, and prints their ratios against the
// baselines measured in the same run. `pnpm bench` is the quick run; `pnpm bench --full` the full one;
// `pnpm bench --smoke` checks that the scenarios still run (smallest sizes, one round, no backup scenario);
// `--only=info-scale,cli` picks scenarios.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '@chronos/pgbackrest/testing';
import type { ScenarioResult } from './lib/measure.js';

const scenarios = [
  'info-scale',
  'info-progress',
  'cli',
  's3-verify',
  'deep-verify',
  'backup',
  'drill',
  'exporter',
] as const;
const full = process.argv.includes('--full');
const smoke = !full && process.argv.includes('--smoke');
const mode = full ? 'full' : smoke ? 'smoke' : 'quick';
const only =
  process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',') ?? (smoke ? ['info-scale', 'cli', 's3-verify', 'exporter'] : undefined);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../../../..');

async function version(file: string, args: string[]): Promise<string> {
  const result = await runProcess({ file, args });
  return result.exitCode === 0 ? result.stdout.trim().split('\n')[0]! : 'unavailable';
}

const results: ScenarioResult[] = [];
const failures: string[] = [];
const started = Date.now();
for (const name of scenarios) {
  if (only && !only.includes(name)) continue;
  process.stderr.write(`\n== ${name} (${mode})\n`);
  const t0 = Date.now();
  const run = await runProcess({
    file: process.execPath,
    args: [join(here, 'scenarios', `${name}.mjs`), ...process.argv.slice(2).filter((a) => !a.startsWith('--only='))],
    env: { NODE_NO_WARNINGS: '1' },
    cwd: repoRoot,
    onStderrLine: (line) => process.stderr.write(`${line}\n`),
    timeout: (full ? 3 * 3600 : smoke ? 120 : name === 'deep-verify' ? 2400 : 600) * 1000,
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.exitCode !== 0 || !last.startsWith('{')) {
    failures.push(`${name}: exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''}`);
    process.stderr.write(
      `${name} failed (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-5).join('\n')}\n`,
    );
    continue;
  }
  results.push(JSON.parse(last) as ScenarioResult);
  process.stderr.write(`== ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

const environment = {
  date: new Date().toISOString(),
  mode,
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  loadAverageAtEnd: loadavg().map((l) => Math.round(l * 10) / 10),
  pgbackrest: await version('pgbackrest', ['version']),
  postgres: await version('/usr/lib/postgresql/15/bin/postgres', ['--version']),
  seconds: Math.round((Date.now() - started) / 1000),
};

const lines: string[] = [];
for (const result of results) {
  lines.push(`\n${result.scenario}`);
  for (const c of result.comparisons) {
    const verdict = c.pass === undefined ? '' : c.pass ? '  ok' : '  MISSED';
    lines.push(
      `  ${c.name}\n    subject ${c.subject} ${c.unit}, baseline ${c.baseline} ${c.unit}, ratio ${c.ratio}x${c.target ? ` (target ${c.target})` : ''}${verdict}  [${c.rounds} rounds]${c.note ? `\n    ${c.note}` : ''}`,
    );
  }
  for (const f of result.figures) {
    const verdict = f.pass === undefined ? '' : f.pass ? '  ok' : '  MISSED';
    lines.push(
      `  ${f.name}: ${f.value}${f.unit ? ` ${f.unit}` : ''}${f.target ? ` (target ${f.target})` : ''}${verdict}${f.note ? ` — ${f.note}` : ''}`,
    );
  }
  for (const n of result.notes) lines.push(`  note: ${n}`);
}
process.stdout.write(`${lines.join('\n')}\n\n${JSON.stringify(environment)}\n`);
if (failures.length > 0) process.stdout.write(`failed scenarios: ${failures.join('; ')}\n`);

const outDir = join(repoRoot, '.cache/bench');
await mkdir(outDir, { recursive: true });
const file = join(outDir, `results-${environment.mode}-${environment.date.replace(/[:.]/g, '-')}.json`);
await writeFile(file, `${JSON.stringify({ environment, results, failures }, null, 2)}\n`);
process.stdout.write(`results: ${file}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
