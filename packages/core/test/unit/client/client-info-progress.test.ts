import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPgBackRest } from '../../../src/client/index.js';
import { buildCommand } from '../../../src/commands/index.js';
import { PgBackRestConfigurationError } from '../../../src/errors/index.js';

const bin = fileURLToPath(new URL('../../fixtures/bin/pgbackrest', import.meta.url));
const recorded = (path: string) => fileURLToPath(new URL(`../../fixtures/recorded/${path}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'chronos-info-progress-'));
const argsFile = join(scratch, 'args.json');
const lastArgs = () => JSON.parse(readFileSync(argsFile, 'utf8')) as string[];

afterEach(() => {
  delete process.env.FAKE_STDOUT_FILE;
  delete process.env.FAKE_ARGS_FILE;
  delete process.env.FAKE_VERSION;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('info --detail-level=progress in the builder', () => {
  it('is refused before 2.56 with the release that added it', () => {
    for (const version of ['2.45', '2.55.1']) {
      const build = () => buildCommand('info', { stanza: 'main', 'detail-level': 'progress' }, { version });
      expect(build).toThrow(PgBackRestConfigurationError);
      expect(build).toThrow(`pgBackRest ${version} has no option 'detail-level' (it exists from pgBackRest 2.56)`);
    }
  });

  it('is built from 2.56 on, also where the catalogue in use predates it (2.56 to 2.58 use 2.55.1)', () => {
    for (const version of ['2.56', '2.58.0', '2.60.0']) {
      const command = buildCommand('info', { stanza: 'main', output: 'json', 'detail-level': 'progress' }, { version });
      expect(command.args).toEqual(['--stanza=main', '--output=json', '--detail-level=progress', 'info']);
    }
    expect(() => buildCommand('info', { 'detail-level': 'quick' }, { version: '2.57' })).toThrow(
      "option 'detail-level' allows 'full', 'progress'; got 'quick'",
    );
  });
});

describe('client.info({ detailLevel })', () => {
  it('runs progress mode on 2.60.0 and parses the recorded output losslessly', async () => {
    const client = createPgBackRest({ stanza: 'demo', bin, options: { 'repo1-path': '/repo' } });
    process.env.FAKE_VERSION = 'pgBackRest 2.60.0';
    expect((await client.version()).version).toBe('2.60.0');
    process.env.FAKE_ARGS_FILE = argsFile;
    process.env.FAKE_STDOUT_FILE = recorded('2.60.0/info-progress-backup.json');
    const progress = await client.info({ detailLevel: 'progress' });
    expect(lastArgs()).toEqual([
      '--stanza=demo',
      '--repo1-path=/repo',
      '--output=json',
      '--detail-level=progress',
      'info',
    ]);
    expect(progress).toStrictEqual(JSON.parse(readFileSync(recorded('2.60.0/info-progress-backup.json'), 'utf8')));
    expect(progress[0]?.status.lock?.backup.held).toBe(true);

    process.env.FAKE_STDOUT_FILE = recorded('2.60.0/info.json');
    const full = await client.info();
    expect(lastArgs()).toEqual(['--stanza=demo', '--repo1-path=/repo', '--output=json', 'info']);
    expect(full[0]?.backup.length).toBeGreaterThan(0);
  });

  it('is a typed error naming 2.56 on older releases, before anything runs', async () => {
    for (const version of ['2.45', '2.55.1']) {
      const client = createPgBackRest({ stanza: 'demo', bin, version });
      process.env.FAKE_ARGS_FILE = argsFile;
      rmSync(argsFile, { force: true });
      const error = await client.info({ detailLevel: 'progress' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgBackRestConfigurationError);
      expect((error as PgBackRestConfigurationError).message).toMatch(
        new RegExp(`needs pgBackRest 2\\.56 or newer .*this is pgBackRest ${version.replace('.', '\\.')}`),
      );
      expect(() => lastArgs()).toThrow(/ENOENT/);
    }
  });
});
