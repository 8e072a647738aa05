import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueFor } from '../../src/catalogue/index.js';
import { configSections, LINT_DELIBERATE_DIFFERENCES, lintConfig, parseConfigFile } from '../../src/config/index.js';
import {
  type ConfigRunResult,
  compareLintWithPgBackRest,
  integrationGate,
  judgeConfigFiles,
  probeDocker,
  probeImage,
} from '../../src/testing/index.js';
import { type CorpusFile, generateLintCorpus } from './support/lint-corpus.js';

// Every generated file is judged by the real pgBackRest of each release (in a throwaway container without network)
// and by the linter for that release; their verdicts must agree, up to the deliberate differences listed in
// LINT_DELIBERATE_DIFFERENCES, each of which must actually occur.
const RELEASES = [
  { version: '2.45', image: 'chronos-pg:15-2.45' },
  { version: '2.55.1', image: 'chronos-pg:17-2.55.1' },
  { version: '2.60.0', image: 'chronos-pg:18-2.60.0' },
] as const;

function stanzasOf(text: string): string[] {
  const names = configSections(parseConfigFile(text)).flatMap((s) => ('stanza' in s ? [s.stanza] : []));
  return names.length === 0 ? ['main'] : [...new Set(names)];
}

const skip = await integrationGate(
  await probeDocker(),
  ...(await Promise.all(RELEASES.map((r) => probeImage(r.image)))),
);

describe.skipIf(skip).each(RELEASES)(skip ?? 'lintConfig agrees with pgBackRest $version', ({ version, image }) => {
  let dir: string;
  let corpus: CorpusFile[];
  let results: ConfigRunResult[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `chronos-lint-${version}-`));
    await chmod(dir, 0o777);
    for (const sub of ['log', 'lock']) {
      await mkdir(join(dir, sub));
      await chmod(join(dir, sub), 0o777);
    }
    corpus = generateLintCorpus(catalogueFor(version), dir);
    for (const file of corpus) await writeFile(join(dir, file.name), file.text, { mode: 0o644 });
    results = await judgeConfigFiles({
      directory: dir,
      runs: corpus.flatMap((file) =>
        stanzasOf(file.text).flatMap((stanza) =>
          file.commands.map((command) => ({ file: file.name, stanza, command })),
        ),
      ),
      judge: { kind: 'image', image },
    });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the real binary of that release', () => {
    expect(results.length).toBeGreaterThan(corpus.length);
    expect(results.some((r) => r.verdict.error !== undefined)).toBe(true);
  });

  it('gives the verdict pgBackRest gives on every generated file, naming the same options', () => {
    const mismatches: string[] = [];
    for (const file of corpus) {
      const lint = lintConfig(file.text, { version, env: {} });
      const comparison = compareLintWithPgBackRest(
        lint,
        results.filter((r) => r.file === file.name),
        { version, strict: true },
      );
      if (!comparison.verdictAgrees || comparison.disagreements.length > 0) {
        mismatches.push(
          `${file.name} (${file.note}): ${comparison.disagreements.map((d) => `${d.kind} ${d.detail}`).join('; ') || 'verdict differs'}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('differs from pgBackRest only where LINT_DELIBERATE_DIFFERENCES says, and each listed difference occurs', () => {
    const seen = new Set<string>();
    for (const file of corpus) {
      const lint = lintConfig(file.text, { version, env: {} });
      const comparison = compareLintWithPgBackRest(
        lint,
        results.filter((r) => r.file === file.name),
        { version },
      );
      for (const d of comparison.deliberate) seen.add(d.code);
      for (const f of lint.findings) if (f.code === 'unknown-command') seen.add(f.code);
    }
    expect([...seen].sort()).toEqual(LINT_DELIBERATE_DIFFERENCES.map((d) => d.code).sort());
  });

  it('accepts the complete configuration of every repository type', () => {
    const complete = corpus.filter((f) => f.note.startsWith('a complete '));
    expect(complete.length).toBeGreaterThan(1);
    for (const file of complete) {
      expect(results.filter((r) => r.file === file.name && r.verdict.error !== undefined)).toEqual([]);
      expect(lintConfig(file.text, { version, env: {} }).ok).toBe(true);
    }
  });
});
