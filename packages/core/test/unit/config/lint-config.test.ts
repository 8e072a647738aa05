import { describe, expect, it } from 'vitest';
import { type LintFinding, lintConfig } from '../../../src/config/index.js';

const good = [
  '[global]',
  'repo1-path=/var/lib/pgbackrest',
  'repo1-retention-full=2',
  'repo2-type=s3',
  'repo2-path=/chronos',
  'repo2-s3-bucket=backups',
  'repo2-s3-endpoint=s3.ca-central-1.amazonaws.com',
  'repo2-s3-region=ca-central-1',
  'repo2-cipher-type=aes-256-cbc',
  'start-fast=y',
  'compress-type=zst',
  'protocol-timeout=1830',
  'buffer-size=2MiB',
  '',
  '[global:archive-push]',
  'compress-level=3',
  'archive-async=y',
  '',
  '[main]',
  'pg1-path=/var/lib/postgresql/15/main',
  '',
  '[main:restore]',
  'recovery-option=primary_conninfo=host=db1',
  'recovery-option=recovery_target_timeline=latest',
  '',
].join('\n');

const codes = (findings: readonly LintFinding[]) => findings.map((f) => [f.line, f.severity, f.code]);

describe('lintConfig', () => {
  it('passes a good file when the passphrase comes from the environment', () => {
    const result = lintConfig(good, {
      version: '2.45',
      fileMode: 0o100640,
      env: { PGBACKREST_REPO2_CIPHER_PASS: 'x' },
    });
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({ ok: true, clean: true, errors: 0, warnings: 0, catalogueVersion: '2.45' });
  });

  it('warns about a cipher without a passphrase in the file, and errors when the environment lacks it too', () => {
    expect(codes(lintConfig(good, { version: '2.45' }).findings)).toEqual([
      [9, 'warning', 'cipher-without-passphrase'],
    ]);
    const strict = lintConfig(good, { version: '2.45', env: {} });
    expect(strict.ok).toBe(false);
    expect(strict.findings[0]!.fix).toContain('PGBACKREST_REPO2_CIPHER_PASS');
  });

  it('finds unknown options with a did-you-mean, keeping the repository index', () => {
    const result = lintConfig('[global]\nrepo3-s3-bukcet=x\nstart-fsat=y\nfrobnicate=1\n', { version: '2.45' });
    expect(result.findings.map((f) => [f.code, f.fix])).toEqual([
      ['unknown-option', "Did you mean 'repo3-s3-bucket'?"],
      ['unknown-option', "Did you mean 'start-fast'?"],
      ['unknown-option', 'Remove it or check the option name in the pgBackRest documentation.'],
    ]);
    expect(result).toMatchObject({ ok: false, errors: 3 });
  });

  it('finds options in sections where pgBackRest ignores them', () => {
    const text =
      '[global]\nstanza=main\npg1-path=/data\n[global:backup]\nrecovery-option=a=b\n[global:bakup]\nstart-fast=y\n';
    const result = lintConfig(text, { version: '2.45' });
    expect(codes(result.findings)).toEqual([
      [2, 'error', 'command-line-only'],
      [3, 'error', 'stanza-option-in-global'],
      [5, 'warning', 'option-not-for-command'],
      [6, 'error', 'unknown-command'],
    ]);
    expect(result.findings[3]!.fix).toBe('Did you mean [global:backup]?');
  });

  it('checks types, ranges and allow-lists', () => {
    const text = [
      '[global]',
      'start-fast=yes',
      'repo1-retention-full=0',
      'log-level-console=loud',
      'buffer-size=3MiB',
      'protocol-timeout=5m',
      'process-max=two',
      'repo1-path=relative/path',
      'archive-push-queue-max=5PiB',
    ].join('\n');
    const result = lintConfig(text, { version: '2.45' });
    expect(codes(result.findings)).toEqual([
      [2, 'error', 'invalid-value'],
      [3, 'error', 'out-of-range'],
      [4, 'error', 'not-allowed'],
      [5, 'error', 'not-allowed'],
      [6, 'error', 'invalid-value'],
      [7, 'error', 'invalid-value'],
      [8, 'error', 'invalid-value'],
      [9, 'error', 'out-of-range'],
    ]);
    expect(result.findings[0]!.fix).toBe('start-fast=y');
    expect(result.findings[4]!.message).toMatch(/units need pgBackRest 2.53/);
    expect(lintConfig('[global]\nprotocol-timeout=5m\n', { version: '2.55.1' }).ok).toBe(true);
  });

  it('finds S3 repositories missing bucket, endpoint or region, per stanza', () => {
    const text = '[global]\nrepo1-type=s3\nrepo1-s3-bucket=b\n[a]\npg1-path=/a\nrepo1-s3-region=r\n[b]\npg1-path=/b\n';
    const result = lintConfig(text, { version: '2.45' });
    expect(result.findings.map((f) => [f.line, f.code, f.message])).toEqual([
      [2, 'missing-companion', 'repo1 is an S3 repository without repo1-s3-endpoint (for stanza a).'],
      [2, 'missing-companion', 'repo1 is an S3 repository without repo1-s3-region (for stanza b).'],
    ]);
  });

  it('flags secrets in a file others can read, and secrets in a private file as info', () => {
    const text = '[global]\nrepo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=not-a-real-pass\n';
    const open = lintConfig(text, { version: '2.45', fileMode: 0o100644 });
    expect(codes(open.findings)).toEqual([[3, 'error', 'secret-readable']]);
    expect(open.findings[0]!.message).not.toContain('not-a-real-pass');
    expect(open.findings[0]!.message).toContain('644');
    const closed = lintConfig(text, { version: '2.45', fileMode: 0o100600 });
    expect(closed).toMatchObject({ ok: true, clean: false, infos: 1 });
  });

  it('flags deprecated names, duplicates, invalid lines and options outside a section', () => {
    const text = 'start-fast=y\n[global]\nretention-full=2\nrepo1-path=/a\nrepo1-path=/b\nnot an option\n';
    expect(codes(lintConfig(text, { version: '2.45' }).findings)).toEqual([
      [1, 'error', 'option-outside-section'],
      [3, 'warning', 'deprecated-option'],
      [5, 'error', 'duplicate-option'],
      [6, 'error', 'invalid-line'],
    ]);
    expect(lintConfig(text, { version: '2.45' }).findings[1]!.fix).toBe('Rename it to repo1-retention-full.');
  });

  it('knows options by version', () => {
    const text = '[global]\nrepo1-type=sftp\n';
    expect(lintConfig(text, { version: '2.45' }).findings.map((f) => f.code)).toEqual(['not-allowed']);
    expect(lintConfig(text, { version: '2.55.1' }).findings.map((f) => f.code)).not.toContain('not-allowed');
  });
});
