import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type BackupOptions,
  catalogueFor,
  catalogueVersionFor,
  type RestoreOptions,
  type StanzaDeleteOptions,
} from '../../../src/catalogue/index.js';

describe('catalogueFor', () => {
  it('carries the option counts of each pgBackRest release', () => {
    expect(catalogueFor('2.45').options.size).toBe(165);
    expect(catalogueFor('2.59.1').options.size).toBe(198);
  });

  it('picks the nearest catalogue at or below the requested version', () => {
    expect(catalogueVersionFor('2.45')).toBe('2.45');
    expect(catalogueVersionFor('2.50')).toBe('2.45');
    expect(catalogueVersionFor('2.57.0')).toBe('2.55.1');
    expect(catalogueVersionFor('2.59.1')).toBe('2.59.1');
    expect(catalogueVersionFor('2.60.0dev')).toBe('2.60.0');
    expect(catalogueVersionFor('2.60.3')).toBe('2.60.0');
    expect(catalogueVersionFor('2.9')).toBe('2.45');
    expect(catalogueFor('2.57.0').version).toBe('2.55.1');
  });

  it('rejects text that is no version', () => {
    expect(() => catalogueFor('latest')).toThrow(/not a pgBackRest version/);
  });
});

describe('Catalogue.option', () => {
  const catalogue = catalogueFor('2.45');

  it('resolves indexed names to the group option and its index', () => {
    const resolved = catalogue.option('repo2-s3-bucket');
    expect(resolved?.definition.name).toBe('repo-s3-bucket');
    expect(resolved?.index).toBe(2);
    expect(catalogue.option('pg256-path')?.index).toBe(256);
  });

  it('refuses indexes pgBackRest refuses', () => {
    expect(catalogue.option('repo0-path')).toBeUndefined();
    expect(catalogue.option('repo257-path')).toBeUndefined();
    expect(catalogue.option('repo01-path')).toBeUndefined();
    expect(catalogue.option('repo-path')?.deprecatedName).toBe('repo-path');
  });

  it('resolves deprecated names, indexed or not', () => {
    expect(catalogue.option('db2-host')).toMatchObject({
      index: 2,
      canonicalName: 'pg2-host',
      deprecatedName: 'db2-host',
    });
    expect(catalogue.option('db-host')).toMatchObject({ index: 1, canonicalName: 'pg1-host' });
    expect(catalogue.option('retention-full')).toMatchObject({ index: 1, canonicalName: 'repo1-retention-full' });
    expect(catalogue.option('archive-queue-max')?.definition.name).toBe('archive-push-queue-max');
  });

  it('resolves plain options and refuses unknown ones', () => {
    expect(catalogue.option('start-fast')?.definition.type).toBe('boolean');
    expect(catalogue.option('start-fastest')).toBeUndefined();
    expect(catalogue.option('repo1-start-fast')).toBeUndefined();
  });

  it('marks secure options and the versions that have an option', () => {
    const secure = [...catalogue.options.values()].filter((o) => o.secure).map((o) => o.name);
    expect(secure.sort()).toEqual(
      [
        'repo-azure-account',
        // inherited from repo-azure-account: pgBackRest 2.45 refuses it on the command line (exit 31)
        'repo-azure-endpoint',
        'repo-azure-key',
        'repo-cipher-pass',
        'repo-gcs-key',
        'repo-s3-key',
        'repo-s3-key-secret',
        'repo-s3-token',
      ].sort(),
    );
    expect(catalogue.option('repo1-cipher-pass')?.definition.versions).toEqual(['2.45', '2.55.1', '2.59.1', '2.60.0']);
    expect(catalogueFor('2.59.1').option('repo1-s3-sse-customer-key')?.definition.secure).toBe(true);
    expect(catalogueFor('2.59.1').option('repo1-sftp-private-key-passphrase')?.definition.secure).toBe(true);
    expect(catalogue.option('repo1-sftp-private-key-passphrase')).toBeUndefined();
  });
});

describe('Catalogue.optionsFor', () => {
  it('gives per-command allow-lists, defaults and requirements', () => {
    const backup = catalogueFor('2.45').optionsFor('backup');
    expect(backup.get('type')?.rule.allowList).toEqual(['full', 'diff', 'incr']);
    expect(backup.get('type')?.rule.default).toBe('incr');
    const restore = catalogueFor('2.45').optionsFor('restore');
    expect(restore.get('set')?.rule.default).toBe('latest');
    expect(restore.get('target')?.definition.depend).toEqual({ option: 'type', list: ['lsn', 'name', 'time', 'xid'] });
    expect(catalogueFor('2.45').optionsFor('info').get('stanza')?.rule.required).toBe(false);
    expect(catalogueFor('2.45').optionsFor('backup').get('stanza')?.rule.required).toBe(true);
  });

  it('leaves out options only pgBackRest itself passes between its processes', () => {
    const backup = catalogueFor('2.45').optionsFor('backup');
    expect(backup.has('process')).toBe(false);
    expect(backup.has('exec-id')).toBe(false);
    expect(catalogueFor('2.45').optionsFor('backup', { includeInternal: true }).has('exec-id')).toBe(true);
  });

  it('resolves +role, +inherit and -command lists of newer releases', () => {
    const newer = catalogueFor('2.59.1');
    const bufferSize = newer.options.get('buffer-size');
    expect(Object.keys(bufferSize?.commands ?? {})).toContain('backup');
    expect(Object.keys(bufferSize?.commands ?? {})).not.toContain('start');
    expect(Object.keys(newer.options.get('pg-host-type')?.commands ?? {})).not.toContain('restore');
    expect(newer.options.get('compress-level')?.defaultFor).toMatchObject({ gz: '6', zst: '3' });
  });

  it('expands literal defaults to a stock build', () => {
    expect(catalogueFor('2.45').options.get('config')?.default).toBe('/etc/pgbackrest/pgbackrest.conf');
  });
});

describe('generated option types', () => {
  it('types allow-lists, indexed names and command applicability', () => {
    expectTypeOf<BackupOptions['type']>().toEqualTypeOf<'full' | 'diff' | 'incr' | undefined>();
    const ok: BackupOptions = { 'start-fast': true, 'repo2-retention-full': 3, 'repo1-cipher-type': 'aes-256-cbc' };
    expect(ok['start-fast']).toBe(true);
    // @ts-expect-error restore types are not backup types
    const wrongType: BackupOptions = { type: 'time' };
    // @ts-expect-error backup does not accept --target
    const wrongOption: BackupOptions = { target: 'x' };
    // @ts-expect-error cipher types are an allow-list
    const wrongCipher: RestoreOptions = { 'repo1-cipher-type': 'rot13' };
    const force: StanzaDeleteOptions = { force: true };
    expect([wrongType, wrongOption, wrongCipher, force]).toHaveLength(4);
  });
});
