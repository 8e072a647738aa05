import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PgBackRestOutputError, PgBackRestSpawnError } from '../../../src/errors/index.js';
import { detectVersion, parseVersion } from '../../../src/version/index.js';

const bin = fileURLToPath(new URL('../../fixtures/bin/pgbackrest', import.meta.url));
const recorded = (path: string) =>
  readFileSync(new URL(`../../fixtures/recorded-local/${path}`, import.meta.url), 'utf8');

describe('parseVersion', () => {
  it('reads recorded 2.45 output, with and without --output=num', () => {
    expect(parseVersion(recorded('version-2.45.txt'))).toEqual({
      version: '2.45',
      major: 2,
      minor: 45,
      patch: 0,
      dev: false,
    });
    expect(parseVersion(recorded('version-num-2.45.txt')).version).toBe('2.45');
  });
  it('reads numeric and dev versions', () => {
    expect(parseVersion('2059001\n')).toMatchObject({ version: '2.59.1', minor: 59, patch: 1 });
    expect(parseVersion('2055001')).toMatchObject({ version: '2.55.1' });
    expect(parseVersion('pgBackRest 2.60.0dev')).toMatchObject({ version: '2.60.0dev', dev: true, minor: 60 });
  });
  it('refuses anything else', () => {
    expect(() => parseVersion('command not found')).toThrow(PgBackRestOutputError);
    expect(() => parseVersion('')).toThrow(PgBackRestOutputError);
  });
});

describe('detectVersion', () => {
  afterEach(() => {
    delete process.env.FAKE_VERSION;
  });
  it('asks the binary', async () => {
    expect((await detectVersion({ bin })).version).toBe('2.45');
    process.env.FAKE_VERSION = '2059001';
    expect((await detectVersion({ bin })).version).toBe('2.59.1');
  });
  it('reports a missing binary', async () => {
    await expect(detectVersion({ bin: '/nonexistent/pgbackrest' })).rejects.toBeInstanceOf(PgBackRestSpawnError);
  });
});
