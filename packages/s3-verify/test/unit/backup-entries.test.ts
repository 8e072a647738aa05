import { describe, expect, it } from 'vitest';
import { backupEntries, missingReferences } from '../../src/backup-entries.js';
import { parseInfoFile } from '../../src/info-file.js';
import { fixtureText } from './fixtures.js';

describe('backup entries of a recorded backup.info', () => {
  const text = fixtureText('plain/backup.info');
  const entries = backupEntries(parseInfoFile(text));

  it('reads labels, types, WAL ranges and references', () => {
    expect(entries.map((e) => e.type)).toEqual(['full', 'diff']);
    expect(entries[1]!.references).toEqual([entries[0]!.label]);
    expect(entries.every((e) => /^[0-9A-F]{24}$/.test(e.start ?? '') && e.dbId === 1)).toBe(true);
  });

  it('finds no missing reference in a whole chain, and names the one that lost its full', () => {
    expect(missingReferences(entries, 'fx')).toEqual([]);
    const withoutFull = text
      .split('\n')
      .filter((line) => !line.startsWith(`${entries[0]!.label}=`))
      .join('\n');
    const findings = missingReferences(backupEntries(parseInfoFile(withoutFull)), 'fx');
    expect(findings.map((f) => [f.code, f.where?.label])).toEqual([['backup-reference-missing', entries[1]!.label]]);
  });
});
