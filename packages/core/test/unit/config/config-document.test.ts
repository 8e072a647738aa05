import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  configSections,
  getOption,
  parseConfigFile,
  renderConfigFile,
  sectionOptions,
  setOption,
  unsetOption,
} from '../../../src/config/index.js';

const sample = [
  '# pgBackRest configuration',
  '[global]',
  'repo1-path=/var/lib/pgbackrest',
  'repo1-retention-full = 2',
  '  start-fast=y',
  '',
  '[global:archive-push]',
  'compress-level=3',
  '',
  '# main cluster',
  '[main]',
  'pg1-path=/var/lib/postgresql/15/main',
  'recovery-option=standby_mode=on',
  'recovery-option=primary_conninfo=host=db1',
  '',
  '[main:restore]',
  'db-include=app',
  '',
].join('\n');

describe('parseConfigFile / renderConfigFile', () => {
  it('types sections and options', () => {
    const doc = parseConfigFile(sample);
    expect(configSections(doc).map((s) => s.kind)).toEqual(['global', 'global-command', 'stanza', 'stanza-command']);
    expect(configSections(doc)[3]).toEqual({
      kind: 'stanza-command',
      name: 'main:restore',
      stanza: 'main',
      command: 'restore',
    });
    expect(getOption(doc, 'global', 'repo1-retention-full')).toBe('2');
    expect(getOption(doc, 'global', 'start-fast')).toBe('y');
    expect(getOption(doc, 'main', 'recovery-option')).toEqual(['standby_mode=on', 'primary_conninfo=host=db1']);
    expect(sectionOptions(doc, 'global:archive-push')).toEqual({ 'compress-level': ['3'] });
    const option = doc.lines.find((l) => l.kind === 'option' && l.key === 'pg1-path');
    expect(option?.line).toBe(12);
  });

  it('keeps lines pgBackRest would refuse as invalid, with a reason', () => {
    const doc = parseConfigFile('stray=1\n[global\nnot an option\n');
    expect(doc.lines.map((l) => l.kind)).toEqual(['option', 'invalid', 'invalid']);
    expect(doc.lines[0]).toMatchObject({ section: undefined });
  });

  it('renders any text back byte for byte', () => {
    expect(renderConfigFile(parseConfigFile(sample))).toBe(sample);
    const line = fc.oneof(
      fc.string(),
      fc.constantFrom('[global]', '[demo:backup]', ' key = value ', '#c', '', '\r', '=x', '[]'),
    );
    const eol = fc.constantFrom('\n', '\r\n', '');
    fc.assert(
      fc.property(fc.array(fc.tuple(line, eol)), (parts) => {
        const text = parts.map(([l, e]) => l + e).join('');
        expect(renderConfigFile(parseConfigFile(text))).toBe(text);
      }),
    );
  });
});

describe('edit helpers', () => {
  it('rewrites an existing option in place, keeping its spacing and the rest of the file', () => {
    const out = renderConfigFile(setOption(parseConfigFile(sample), 'global', 'repo1-retention-full', '4'));
    expect(out).toBe(sample.replace('repo1-retention-full = 2', 'repo1-retention-full = 4'));
    const indented = renderConfigFile(setOption(parseConfigFile(sample), 'global', 'start-fast', 'n'));
    expect(indented).toBe(sample.replace('  start-fast=y', '  start-fast=n'));
  });

  it('adds a new option after the last option of the section', () => {
    const out = renderConfigFile(setOption(parseConfigFile(sample), 'global:archive-push', 'process-max', '2'));
    expect(out).toBe(sample.replace('compress-level=3\n', 'compress-level=3\nprocess-max=2\n'));
  });

  it('replaces every value of a list option', () => {
    const doc = setOption(parseConfigFile(sample), 'main', 'recovery-option', ['a=1', 'b=2', 'c=3']);
    expect(getOption(doc, 'main', 'recovery-option')).toEqual(['a=1', 'b=2', 'c=3']);
    expect(renderConfigFile(doc)).toBe(
      sample.replace(
        'recovery-option=standby_mode=on\nrecovery-option=primary_conninfo=host=db1',
        'recovery-option=a=1\nrecovery-option=b=2\nrecovery-option=c=3',
      ),
    );
  });

  it('appends a missing section, using the file line ending', () => {
    const crlf = '[global]\r\nrepo1-path=/r\r\n';
    const out = renderConfigFile(setOption(parseConfigFile(crlf), 'demo', 'pg1-path', '/data'));
    expect(out).toBe('[global]\r\nrepo1-path=/r\r\n\r\n[demo]\r\npg1-path=/data\r\n');
    expect(renderConfigFile(setOption(parseConfigFile('[global]\nx=1'), 'demo', 'pg1-path', '/d'))).toBe(
      '[global]\nx=1\n\n[demo]\npg1-path=/d\n',
    );
  });

  it('unsets an option and keeps the rest; refuses multi-line values', () => {
    const out = renderConfigFile(unsetOption(parseConfigFile(sample), 'main', 'recovery-option'));
    expect(out).toBe(
      sample.replace('recovery-option=standby_mode=on\nrecovery-option=primary_conninfo=host=db1\n', ''),
    );
    expect(parseConfigFile(out).lines.every((l, i) => l.line === i + 1)).toBe(true);
    expect(() => setOption(parseConfigFile(sample), 'global', 'repo1-path', 'a\nb')).toThrow(/single line/);
  });
});

describe('edit helpers at the end of a file without a final newline', () => {
  it('keeps the missing final newline when rewriting the last line', () => {
    expect(renderConfigFile(setOption(parseConfigFile('[global]\nx = 1'), 'global', 'x', '2'))).toBe('[global]\nx = 2');
  });
});
