import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from '@chronos/pgbackrest/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, envelope, FIXTURES } from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'chronos-loaded-code-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const INFO = `${FIXTURES}info-2.45-s3-encrypted-plus-posix.json`;
const bin = join(scratch, 'pgbackrest');
writeFileSync(bin, `#!/bin/sh\ncase "$*" in *version*) echo 'pgBackRest 2.45' ;; *) cat '${INFO}' ;; esac\n`);
chmodSync(bin, 0o755);

const log = join(scratch, 'loaded.txt');
const preload = join(scratch, 'preload.cjs');
writeFileSync(
  preload,
  `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, Object.keys(require.cache).join('\\n')));\n`,
);

/** The source files of every module of the executable that a run of `chronos …args` loaded (from their source maps). */
async function sourcesLoadedBy(args: readonly string[]): Promise<{ sources: string[]; bytes: number; stdout: string }> {
  rmSync(log, { force: true });
  const run = await runProcess({ file: process.execPath, args: ['--require', preload, CLI, ...args], timeout: 60_000 });
  expect(run.exitCode, run.stderr).toBe(0);
  const outDir = dirname(CLI);
  const files = readFileSync(log, 'utf8')
    .split('\n')
    .filter((file) => dirname(file) === outDir);
  const sources = files.flatMap(
    (file) => (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources,
  );
  const bytes = files.reduce((sum, file) => sum + readFileSync(file).length, 0);
  return { sources, bytes, stdout: run.stdout };
}

/** Sources of other commands or their dependencies: none of them belongs to `info`. */
function foreignToInfo(sources: readonly string[]): string[] {
  return sources.filter(
    (source) =>
      /node_modules\/\.pnpm\/(zod|yaml|croner)@/.test(source) ||
      (/core\/src\/(analysis|config|doctor|drill|exporter|metrics|pitr|policy|retention|testing)\//.test(source) &&
        // the one size grammar, which the command builder checks sizes with
        !source.endsWith('core/src/config/lint/value-grammar.ts')) ||
      /s3-verify\/src\//.test(source),
  );
}

const stanzaName = (JSON.parse(readFileSync(INFO, 'utf8')) as Array<{ name: string }>)[0]?.name;

describe('what chronos loads', () => {
  it('info loads the client and the info parser, and nothing of the other commands or their dependencies', async () => {
    const { sources, bytes, stdout } = await sourcesLoadedBy(['--bin', bin, '--stanza', 'main', '--json', 'info']);
    expect(envelope({ exitCode: 0, stdout, stderr: '' }).result[0].name).toBe(stanzaName);
    expect(sources.some((source) => source.endsWith('core/src/client/pgbackrest-client.ts'))).toBe(true);
    expect(sources.some((source) => source.endsWith('core/src/info/parse-info.ts'))).toBe(true);
    expect(foreignToInfo(sources)).toEqual([]);
    // The whole executable is several megabytes; info's share stayed near 160 KB when this test was written.
    expect(bytes).toBeLessThan(400_000);
  });

  it('info --from-file loads the info parser and nothing of the other commands either', async () => {
    const { sources, stdout } = await sourcesLoadedBy(['--json', 'info', '--from-file', INFO]);
    expect(envelope({ exitCode: 0, stdout, stderr: '' }).result[0].name).toBe(stanzaName);
    expect(sources.some((source) => source.endsWith('core/src/info/parse-info.ts'))).toBe(true);
    expect(foreignToInfo(sources)).toEqual([]);
  });
});
