import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { S3Endpoint } from '../../../src/testing/index.js';
import { renderPostgresSettings, renderStackConfig, resolveRepos } from '../../../src/testing/index.js';

// Only the two pure methods of an endpoint are used by the renderer.
const endpoint = {
  repoOptions: (index: number, path = '/') => ({
    [`repo${index}-type`]: 's3',
    [`repo${index}-path`]: path,
    [`repo${index}-s3-endpoint`]: '127.0.0.1',
  }),
  repoSecretEnv: (index: number) => ({
    [`PGBACKREST_REPO${index}_S3_KEY`]: 'key-id',
    [`PGBACKREST_REPO${index}_S3_KEY_SECRET`]: 'key-secret',
  }),
} as unknown as S3Endpoint;

const base = {
  stanza: 'demo',
  pgDataPath: '/data',
  pgPort: 5433,
  pgSocketPath: '/run',
  statePath: '/state',
};

function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) sections[header[1]!] = current = {};
    else if (line.includes('=')) current[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return sections;
}

describe('renderStackConfig', () => {
  it('numbers repositories in order and keeps their secrets out of the file', () => {
    const { configText, secretEnv } = renderStackConfig({
      ...base,
      repos: [
        { spec: { type: 's3', endpoint, cipherPass: 'pass-one' }, path: '/chronos' },
        { spec: { type: 'posix', options: { 'retention-full': '2' } }, path: '/repo2' },
      ],
    });
    const ini = parseIni(configText);
    expect(ini['global']).toMatchObject({
      'repo1-type': 's3',
      'repo1-path': '/chronos',
      'repo1-cipher-type': 'aes-256-cbc',
      'repo2-type': 'posix',
      'repo2-path': '/repo2',
      'repo2-retention-full': '2',
      'lock-path': '/state/lock',
    });
    expect(ini['global']?.['repo2-cipher-type']).toBeUndefined();
    expect(ini['demo']).toEqual({ 'pg1-path': '/data', 'pg1-port': '5433', 'pg1-socket-path': '/run' });
    expect(secretEnv).toEqual({
      PGBACKREST_REPO1_S3_KEY: 'key-id',
      PGBACKREST_REPO1_S3_KEY_SECRET: 'key-secret',
      PGBACKREST_REPO1_CIPHER_PASS: 'pass-one',
    });
    expect(configText).not.toMatch(/pass-one|key-secret|key-id/);
  });

  it('uses the stack passphrase for repositories marked encrypted, and refuses one without any', () => {
    const { secretEnv } = renderStackConfig({
      ...base,
      cipherPass: 'stack-pass',
      repos: [{ spec: { type: 'posix', encrypted: true }, path: '/r' }],
    });
    expect(secretEnv).toEqual({ PGBACKREST_REPO1_CIPHER_PASS: 'stack-pass' });
    expect(() =>
      renderStackConfig({ ...base, repos: [{ spec: { type: 'posix', encrypted: true }, path: '/r' }] }),
    ).toThrow(/repo1 is encrypted but has no passphrase/);
  });

  it('refuses secrets, malformed names and multi-line values given as plain options', () => {
    const repo = (options: Record<string, string>) => [{ spec: { type: 'posix' as const, options }, path: '/r' }];
    expect(() => renderStackConfig({ ...base, repos: repo({ 'cipher-pass': 'x' }) })).toThrow(/is a secret/);
    expect(() => renderStackConfig({ ...base, repos: repo({ 'Bad Name': 'x' }) })).toThrow(/not a pgBackRest option/);
    expect(() => renderStackConfig({ ...base, repos: repo({ 'retention-full': '1\n[x]' }) })).toThrow(/one line/);
    expect(() => renderStackConfig({ ...base, stanza: 'a b', repos: repo({}) })).toThrow(/stanza/);
    expect(() => renderStackConfig({ ...base, repos: [] })).toThrow(/at least one repository/);
  });

  it('never writes any passphrase into the file (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (pass) => {
        const { configText, secretEnv } = renderStackConfig({
          ...base,
          repos: [{ spec: { type: 'posix', cipherPass: pass }, path: '/r' }],
        });
        expect(secretEnv['PGBACKREST_REPO1_CIPHER_PASS']).toBe(pass);
        expect(configText.split('\n').some((line) => line.endsWith(`=${pass}`))).toBe(false);
      }),
    );
  });
});

describe('renderPostgresSettings', () => {
  it('binds to loopback, archives through pgBackRest, and lets the caller override', () => {
    const text = renderPostgresSettings({
      port: 5433,
      socketPath: '/run',
      archiveCommand: "pgbackrest --stanza=it's archive-push %p",
      settings: { shared_buffers: '32MB', max_connections: 20, fsync: true },
    });
    const lines = text.trim().split('\n');
    expect(lines).toContain("listen_addresses = '127.0.0.1'");
    expect(lines).toContain('archive_mode = on');
    expect(lines).toContain("archive_command = 'pgbackrest --stanza=it''s archive-push %p'");
    expect(lines).toContain("shared_buffers = '32MB'");
    expect(lines).toContain('max_connections = 20');
    expect(lines).toContain('fsync = on');
    expect(lines.filter((l) => l.startsWith('shared_buffers'))).toHaveLength(1);
    expect(() =>
      renderPostgresSettings({ port: 1, socketPath: '/s', archiveCommand: 'x', settings: { 'a;b': 1 } }),
    ).toThrow(/not a PostgreSQL setting/);
  });
});

describe('resolveRepos', () => {
  it('puts posix repositories under the stack root and S3 repositories under the stanza by default', () => {
    const { resolved, repos } = resolveRepos(
      [{ type: 'posix' }, { type: 's3', endpoint, cipherPass: 'p' }, { type: 's3', endpoint, path: '/mine' }],
      'demo',
      '/tmp/stack',
    );
    expect(resolved.map((r) => r.path)).toEqual(['/tmp/stack/repo1', '/demo', '/mine']);
    expect(repos).toEqual([
      { index: 1, type: 'posix', path: '/tmp/stack/repo1', hostPath: '/tmp/stack/repo1', encrypted: false },
      { index: 2, type: 's3', path: '/demo', encrypted: true },
      { index: 3, type: 's3', path: '/mine', encrypted: false },
    ]);
  });
});
