import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LintCode, lintConfig } from '../../src/config/index.js';
import { runProcess } from '../../src/exec/process.js';
import { integrationGate, probePgBackRest } from '../../src/testing/index.js';

const skip = await integrationGate(await probePgBackRest());

// What pgBackRest itself says about a configuration file, mapped to the lint code for the same problem.
const WARNINGS: [RegExp, LintCode][] = [
  [/configuration file contains invalid option '([^']+)'/, 'unknown-option'],
  [/configuration file contains command-line only option '([^']+)'/, 'command-line-only'],
  [/configuration file contains stanza-only option '([^']+)' in global section/, 'stanza-option-in-global'],
  [/configuration file contains option '([^']+)' invalid for section/, 'option-not-for-command'],
];

describe.skipIf(skip)(skip ?? 'lintConfig agrees with pgBackRest 2.45 about a configuration file', () => {
  let dir: string;
  let version: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chronos-config-lint-'));
    const out = await runProcess({ file: 'pgbackrest', args: ['version'] });
    version = /pgBackRest (\S+)/.exec(out.stdout)![1]!;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function pgbackrestSays(
    text: string,
  ): Promise<{ warnings: [string, LintCode][]; error: string | undefined; exitCode: number | undefined }> {
    const file = join(dir, 'pgbackrest.conf');
    await writeFile(file, text, { mode: 0o600 });
    const result = await runProcess({
      file: 'pgbackrest',
      args: [
        `--config=${file}`,
        '--stanza=main',
        `--log-path=${dir}`,
        `--lock-path=${dir}`,
        '--log-level-console=warn',
        'backup',
      ],
      timeout: 60_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    const warnings: [string, LintCode][] = [];
    for (const line of output.split('\n')) {
      for (const [pattern, code] of WARNINGS) {
        const match = pattern.exec(line);
        if (match) warnings.push([match[1]!, code]);
      }
    }
    return { warnings, error: /ERROR: \[03[12]\]: (.*)/.exec(output)?.[1], exitCode: result.exitCode };
  }

  const base = `[global]\nrepo1-path=${'/nonexistent/chronos-lint-repo'}\n\n[main]\npg1-path=/nonexistent/chronos-lint-pg\n`;

  it('finds every option pgBackRest warns it ignores, with the same reason', async () => {
    const text = base.replace(
      '[global]\n',
      '[global]\nrepo1-retention-ful=2\nstanza=main\npg1-path=/nonexistent/x\n[global:backup]\nrecovery-option=a=b\n[global]\n',
    );
    const said = await pgbackrestSays(text);
    expect(said.warnings.length).toBe(4);
    const lint = lintConfig(text, { version });
    const found = lint.findings.map((f) => [f.option, f.code]);
    for (const warning of said.warnings) expect(found).toContainEqual(warning);
  });

  it.each([
    ['start-fast=yes', 'invalid-value'],
    ['log-level-file=loud', 'not-allowed'],
    ['repo1-retention-full=0', 'out-of-range'],
    ['process-max=two', 'invalid-value'],
    ['compress-type=zip', 'not-allowed'],
    ['buffer-size=3MiB', 'not-allowed'],
  ] as const)('refuses the value pgBackRest refuses: %s', async (line, code) => {
    const text = base.replace('[global]\n', `[global]\n${line}\n`);
    const said = await pgbackrestSays(text);
    expect(said.exitCode).toBe(32);
    expect(said.error).toContain(line.split('=')[0]);
    const lint = lintConfig(text, { version });
    expect(lint.ok).toBe(false);
    expect(lint.findings.filter((f) => f.severity === 'error').map((f) => [f.line, f.code])).toEqual([[2, code]]);
  });

  it('passes a file pgBackRest accepts without complaint', async () => {
    const text = base.replace(
      '[global]\n',
      '[global]\nstart-fast=y\ncompress-type=lz4\nrepo1-retention-full=2\nbuffer-size=2MiB\n',
    );
    const said = await pgbackrestSays(text);
    expect(said.warnings).toEqual([]);
    expect(said.error).toBeUndefined();
    expect(lintConfig(text, { version, fileMode: 0o600 }).clean).toBe(true);
  });
});
