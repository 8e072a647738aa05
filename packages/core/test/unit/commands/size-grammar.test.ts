import { describe, expect, it } from 'vitest';
import { buildCommand } from '../../../src/commands/index.js';
import { PgBackRestConfigurationError } from '../../../src/errors/index.js';
import { shellCommand, shellQuote } from '../../../src/policy/index.js';

describe('one size grammar and one quoting function', () => {
  it("builders accept sizes as pgBackRest reads them and refuse what it refuses (the linter's grammar)", () => {
    for (const size of ['16384', '4mb', '4MiB', '1g', '512KiB']) {
      expect(
        buildCommand(
          'backup',
          { stanza: 'main', 'buffer-size': '1MiB', 'io-timeout': 60, 'repo1-storage-upload-chunk-size': size },
          { version: '2.45' },
        ).args,
      ).toContain(`--repo1-storage-upload-chunk-size=${size}`);
    }
    for (const size of ['1.5MiB', '4 MiB', 'MiB', '4xb']) {
      expect(() =>
        buildCommand('backup', { stanza: 'main', 'repo1-storage-upload-chunk-size': size }, { version: '2.45' }),
      ).toThrow(PgBackRestConfigurationError);
    }
  });

  it('quotes words the same way for rendered commands and generated job scripts', () => {
    const command = buildCommand('check', { stanza: "it's main" }, { version: '2.45' });
    expect(shellQuote("it's main")).toBe(`'it'\\''s main'`);
    expect(shellCommand([command.file, ...command.args])).toBe(`pgbackrest '--stanza=it'\\''s main' check`);
  });
});
