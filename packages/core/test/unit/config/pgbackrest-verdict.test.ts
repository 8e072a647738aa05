import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintConfig } from '../../../src/config/index.js';
import { parsePgBackRestConfigVerdict } from '../../../src/config/lint/pgbackrest-verdict.js';
import { compareLintWithPgBackRest } from '../../../src/testing/index.js';

const dir = new URL('../../fixtures/recorded-config/', import.meta.url);

function recorded(name: string) {
  const text = readFileSync(new URL(`${name}.txt`, dir), 'utf8');
  const exitCode = Number(/@@exit (\d+)/.exec(text)![1]);
  return { output: text.replace(/@@exit \d+\n?$/, ''), exitCode };
}

const cases = [
  ['2.45-remote-hosts', 'remote-hosts', '2.45', 'backup'],
  ['2.45-retention-not-set', 'retention-not-set', '2.45', 'backup'],
  ['2.55.1-ignored-lines', 'ignored-lines', '2.55.1', 'archive-push'],
  ['2.55.1-protocol-timeout', 'protocol-timeout', '2.55.1', 'backup'],
  ['2.60.0-missing-equals', 'missing-equals', '2.60.0', 'info'],
  ['2.60.0-missing-s3-bucket', 'missing-s3-bucket', '2.60.0', 'archive-get'],
] as const;

describe('parsePgBackRestConfigVerdict on recorded pgBackRest output', () => {
  it('reads the option error and the configuration warnings', () => {
    const ignored = recorded('2.55.1-ignored-lines');
    expect(parsePgBackRestConfigVerdict(ignored.output, ignored.exitCode)).toEqual({
      error: {
        code: 32,
        option: 'tcp-keep-alive-idle',
        message: "'abc' is not valid for 'tcp-keep-alive-idle' option",
      },
      warnings: [
        { kind: 'option-not-for-command', option: 'start-fast' },
        { kind: 'unknown-option', option: 'repo1-retention-ful' },
        { kind: 'negated-option', option: 'no-start-fast' },
        { kind: 'command-line-only', option: 'type' },
        { kind: 'stanza-option-in-global', option: 'pg2-path' },
      ],
    });
    const timeouts = recorded('2.55.1-protocol-timeout');
    expect(parsePgBackRestConfigVerdict(timeouts.output, timeouts.exitCode).error?.option).toBe('protocol-timeout');
    const missing = recorded('2.60.0-missing-s3-bucket');
    expect(parsePgBackRestConfigVerdict(missing.output, missing.exitCode).error).toMatchObject({
      code: 37,
      option: 'repo1-s3-bucket',
    });
  });

  it('names no option for a malformed file or remote hosts, and leaves out what the environment caused', () => {
    const format = recorded('2.60.0-missing-equals');
    expect(parsePgBackRestConfigVerdict(format.output, format.exitCode).error).toMatchObject({ code: 29 });
    expect(parsePgBackRestConfigVerdict(format.output, format.exitCode).error?.option).toBeUndefined();
    const hosts = recorded('2.45-remote-hosts');
    expect(parsePgBackRestConfigVerdict(hosts.output, hosts.exitCode).error).toMatchObject({ code: 27 });
    const retention = recorded('2.45-retention-not-set');
    expect(parsePgBackRestConfigVerdict(retention.output, retention.exitCode)).toEqual({
      warnings: [{ kind: 'retention-not-set', option: 'repo1-retention-full' }],
    });
  });

  it.each(cases)('lintConfig agrees with the recorded verdict %s', (name, conf, version, command) => {
    const { output, exitCode } = recorded(name);
    const text = readFileSync(new URL(`${conf}.conf`, dir), 'utf8');
    const verdict = parsePgBackRestConfigVerdict(output, exitCode);
    const comparison = compareLintWithPgBackRest(
      lintConfig(text, { version, env: {} }),
      [{ file: `${conf}.conf`, stanza: 'main', command, exitCode, output, verdict }],
      { version },
    );
    expect(comparison.disagreements).toEqual([]);
    expect(comparison.verdictAgrees).toBe(true);
  });
});
