#!/usr/bin/env node
// Measures `lintConfig` against real pgBackRest on a folder of pgbackrest.conf files, by hand (never from tests or CI).
// Each file is run through the commands the linter judges (LINT_COMMANDS) for every stanza it names ('main' when it
// names none), with pgBackRest isolated from any network; the verdicts are compared as the differential test does.
//
// Usage: node scripts/measure/lint-agreement.mjs DIR [--version 2.45] [--image chronos-pg:17-2.55.1] [--json]
//   (build @chronos/pgbackrest first: pnpm --filter @chronos/pgbackrest build)
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configSections, LINT_COMMANDS, lintConfig, parseConfigFile } from '../../packages/core/dist/index.js';
import { compareLintWithPgBackRest, judgeConfigFiles } from '../../packages/core/dist/testing/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { version: { type: 'string', default: '2.45' }, image: { type: 'string' }, json: { type: 'boolean' } },
});
const source = resolve(positionals[0] ?? '.');
const work = await mkdtemp(join(tmpdir(), 'chronos-lint-agreement-'));
try {
  const files = (await readdir(source)).filter((f) => f.endsWith('.conf')).sort();
  const runs = [];
  const texts = new Map();
  for (const file of files) {
    await copyFile(join(source, file), join(work, file));
    await chmod(join(work, file), values.image ? 0o644 : 0o600);
    const text = await readFile(join(work, file), 'utf8');
    texts.set(file, text);
    const stanzas = [
      ...new Set(
        configSections(parseConfigFile(text)).flatMap((s) =>
          'stanza' in s && !s.stanza.includes(' ') ? [s.stanza] : [],
        ),
      ),
    ];
    for (const stanza of stanzas.length > 0 ? stanzas : ['main']) {
      for (const command of LINT_COMMANDS) runs.push({ file, stanza, command });
    }
  }
  await mkdir(join(work, 'log'), { recursive: true });
  if (values.image) {
    // pgBackRest runs as the image's postgres user: it must read the files and write logs and results.
    for (const path of [work, join(work, 'log')]) await chmod(path, 0o777);
  }
  const started = Date.now();
  const judge = values.image ? { kind: 'image', image: values.image } : { kind: 'native' };
  const results = await judgeConfigFiles({ directory: work, runs, judge });
  const seconds = (Date.now() - started) / 1000;
  const rows = [];
  for (const file of files) {
    const lint = lintConfig(texts.get(file), { version: values.version, fileMode: 0o600, env: {} });
    const comparison = compareLintWithPgBackRest(
      lint,
      results.filter((r) => r.file === file),
      { version: values.version },
    );
    rows.push({ file, errors: lint.errors, warnings: lint.warnings, ...comparison });
  }
  if (values.json) {
    console.log(JSON.stringify({ seconds, runs: runs.length, rows }, null, 2));
  } else {
    for (const row of rows) {
      const mark =
        row.verdictAgrees && row.disagreements.length === 0
          ? 'agree'
          : row.verdictAgrees
            ? 'verdict agrees'
            : 'DISAGREE';
      console.log(`${mark.padEnd(15)} ${row.file} (${row.errors} errors, ${row.warnings} warnings)`);
      for (const d of row.deliberate) console.log(`    deliberate: ${d.code} ${d.option}`);
      for (const d of row.disagreements) console.log(`    ${d.kind}: ${d.detail}`);
    }
    const agree = rows.filter((r) => r.verdictAgrees && r.disagreements.length === 0).length;
    const verdict = rows.filter((r) => r.verdictAgrees).length;
    console.log(
      `\n${agree}/${rows.length} files agree in full, ${verdict}/${rows.length} on the verdict; ${runs.length} pgBackRest runs in ${seconds.toFixed(1)} s`,
    );
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
