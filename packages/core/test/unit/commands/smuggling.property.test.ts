import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotateCommand, archivePushCommand, buildCommand, restoreCommand } from '../../../src/commands/index.js';
import { PgBackRestConfigurationError } from '../../../src/errors/index.js';

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '--force',
    '-h',
    '--type=full',
    'a\n--force',
    'x\0--force',
    'a b',
    '=',
    '--',
    ' --repo1-path=/x',
    '\r',
  ),
  fc
    .tuple(fc.constantFrom('', '-', '--', 'x'), fc.string(), fc.constantFrom('', '\n', '\0', '\r\n'))
    .map((p) => p.join('')),
);

/** Runs a build; a configuration error is an acceptable outcome, anything else thrown is a bug. */
function attempt<T>(build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    expect(error).toBeInstanceOf(PgBackRestConfigurationError);
    return undefined;
  }
}

const clean = (arg: string) => !/[\0\r\n]/.test(arg);

describe('no value can smuggle an option or split an argument', () => {
  it('string options stay one --name=value element holding the exact value', () => {
    fc.assert(
      fc.property(nasty, nasty, (path, stanza) => {
        const command = attempt(() => buildCommand('backup', { stanza, 'repo1-path': path }));
        if (!command) return;
        expect(command.args).toEqual([`--stanza=${stanza}`, `--repo1-path=${path}`, 'backup']);
        expect(command.args.every(clean)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('list and hash items each become one element', () => {
    fc.assert(
      fc.property(fc.array(nasty, { maxLength: 4 }), fc.dictionary(nasty, nasty, { maxKeys: 3 }), (dbs, annotation) => {
        const restore = attempt(() => restoreCommand({ stanza: 's', 'db-include': dbs }));
        if (restore) {
          expect(restore.args).toEqual(['--stanza=s', ...dbs.map((db) => `--db-include=${db}`), 'restore']);
          expect(restore.args.every(clean)).toBe(true);
        }
        const annotate = attempt(() => annotateCommand({ stanza: 's', set: 'x', annotation }));
        if (annotate) {
          const entries = Object.entries(annotation);
          expect(annotate.args).toHaveLength(entries.length + 3);
          expect(annotate.args.slice(2, -1)).toEqual(entries.map(([k, v]) => `--annotation=${k}=${v}`));
          for (const [key] of entries) expect(key.includes('=')).toBe(false);
          expect(annotate.args.every(clean)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parameters never look like options', () => {
    fc.assert(
      fc.property(nasty, (wal) => {
        const command = attempt(() => archivePushCommand(wal, { stanza: 's' }));
        if (!command) return;
        expect(command.args).toEqual(['--stanza=s', 'archive-push', wal]);
        expect(wal.startsWith('-')).toBe(false);
        expect(clean(wal)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('secrets never reach argv whatever they hold', () => {
    fc.assert(
      fc.property(nasty, (secret) => {
        const command = attempt(() => buildCommand('backup', { stanza: 's', 'repo1-cipher-pass': secret }));
        if (!command) return;
        expect(command.args).toEqual(['--stanza=s', 'backup']);
        expect(command.env).toEqual({ PGBACKREST_REPO1_CIPHER_PASS: secret });
      }),
      { numRuns: 300 },
    );
  });

  it('rejects exactly the values with line breaks or NUL (and empty ones)', () => {
    fc.assert(
      fc.property(nasty, (value) => {
        const built = attempt(() => buildCommand('backup', { stanza: value }));
        expect(built === undefined).toBe(value === '' || /[\0\r\n]/.test(value));
      }),
      { numRuns: 500 },
    );
  });
});
