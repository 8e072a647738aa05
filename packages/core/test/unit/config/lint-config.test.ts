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
  'repo2-retention-full=2',
  'repo2-cipher-type=aes-256-cbc',
  'start-fast=y',
  'compress-type=zst',
  'protocol-timeout=1830',
  'buffer-size=2MiB',
  'log-level-file=detail',
  'log-level-stderr=off',
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

const secretsInEnv = {
  PGBACKREST_REPO2_CIPHER_PASS: 'x',
  PGBACKREST_REPO2_S3_KEY: 'x',
  PGBACKREST_REPO2_S3_KEY_SECRET: 'x',
};

const codes = (findings: readonly LintFinding[]) =>
  findings.filter((f) => f.code !== 'retention-not-set').map((f) => [f.line, f.severity, f.code]);
const lint = (text: string, version = '2.45') => lintConfig(text, { version });

describe('lintConfig', () => {
  it('passes a good file when its secrets come from the environment (every log level accepted)', () => {
    const result = lintConfig(good, { version: '2.45', fileMode: 0o100600, env: secretsInEnv });
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({ ok: true, clean: true, errors: 0, warnings: 0, catalogueVersion: '2.45' });
  });

  it('warns about secrets that may come from the environment, and errors when the given environment lacks them', () => {
    const unknownEnv = lint(good);
    expect(unknownEnv.ok).toBe(true);
    expect(unknownEnv.findings.map((f) => [f.severity, f.code, f.option])).toEqual([
      ['warning', 'missing-option', 'repo2-cipher-pass'],
      ['warning', 'missing-option', 'repo2-s3-key'],
      ['warning', 'missing-option', 'repo2-s3-key-secret'],
    ]);
    expect(unknownEnv.findings[0]!.line).toBe(10);
    expect(unknownEnv.findings[0]!.fix).toContain('PGBACKREST_REPO2_CIPHER_PASS');
    const strict = lintConfig(good, { version: '2.45', env: {} });
    expect(strict).toMatchObject({ ok: false, errors: 3 });
  });

  it('requires the companions of each repository type and pg1-path, per stanza', () => {
    const text = '[global]\nrepo1-type=s3\nrepo1-s3-bucket=b\n[a]\npg1-path=/a\nrepo1-s3-region=r\n[b]\npg1-host=db\n';
    const result = lintConfig(text, {
      version: '2.45',
      env: { PGBACKREST_REPO1_S3_KEY: 'k', PGBACKREST_REPO1_S3_KEY_SECRET: 's' },
    });
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.line, f.option])).toEqual([
      [2, 'repo1-s3-endpoint'],
      [2, 'repo1-s3-region'],
      [7, 'pg1-path'],
    ]);
    expect(errors.map((f) => f.message.match(/for stanza (\w)/)?.[1])).toEqual(['a', 'b', 'b']);
    expect(lint('[global]\nrepo1-type=gcs\n[a]\npg1-path=/a\n').findings.map((f) => f.option)).toContain(
      'repo1-gcs-bucket',
    );
    expect(codes(lint('[global]\nrepo1-azure-account=\n[a]\npg1-path=/a\n').findings)).toEqual([
      [2, 'error', 'empty-value'],
    ]);
    expect(codes(lint('[global]\nrepo1-type=azure\nrepo1-azure-account=\n[a]\npg1-path=/a\n').findings)).toContainEqual(
      [3, 'error', 'empty-value'],
    );
  });

  it('reports unknown options as errors, with a did-you-mean only for near misses', () => {
    const result = lint('[global]\nrepo3-s3-bukcet=x\nstart-fsat=y\nrepo_path=/r\nfork=GPDB\nfrobnicate=1\n');
    expect(result.findings.filter((f) => f.code === 'unknown-option').map((f) => [f.option, f.fix])).toEqual([
      ['repo3-s3-bukcet', "Did you mean 'repo3-s3-bucket'?"],
      ['start-fsat', "Did you mean 'start-fast'?"],
      ['repo_path', "Did you mean 'repo1-path'?"],
      ['fork', 'Remove it or check the option name in the pgBackRest documentation.'],
      ['frobnicate', 'Remove it or check the option name in the pgBackRest documentation.'],
    ]);
  });

  it('names the release that has an option the target release lacks', () => {
    const result = lint('[global]\nrepo1-sftp-host=h\n[a]\npg1-path=/a\n');
    expect(result.findings[0]).toMatchObject({ code: 'unknown-option', severity: 'error' });
    expect(result.findings[0]!.message).toMatch(/\(pgBackRest 2\.55\.1, .* have it\)/);
  });

  it('finds lines pgBackRest ignores in the sections it reads them from', () => {
    const text =
      '[global]\nstanza=main\npg1-path=/data\nno-start-fast=y\n[global:backup]\nrecovery-option=a=b\n[global:bakup]\nstart-fast=y\n[main]\npg1-path=/d\n';
    const result = lint(text);
    expect(codes(result.findings).filter(([, s]) => s !== 'info')).toEqual([
      [2, 'error', 'command-line-only'],
      [3, 'error', 'stanza-option-in-global'],
      [4, 'error', 'negated-option'],
      [6, 'warning', 'option-not-for-command'],
      [7, 'error', 'unknown-command'],
    ]);
    expect(result.findings.find((f) => f.code === 'option-not-for-command')!.commands).toEqual(['backup']);
    expect(result.findings.find((f) => f.code === 'unknown-command')!.fix).toBe('Did you mean [global:backup]?');
  });

  it('refuses names pgBackRest refuses outright', () => {
    const text = '[global]\npg-port=5433\nstart1-fast=y\nrepo300-path=/r\nno-process-max=2\n[a]\npg1-path=/a\n';
    expect(codes(lint(text).findings).map(([line, , code]) => [line, code])).toEqual([
      [2, 'invalid-option-name'],
      [3, 'invalid-option-name'],
      [4, 'invalid-option-name'],
      [5, 'invalid-option-name'],
    ]);
    expect(codes(lint('[global]\nrepo-path=/r\n[a]\npg1-path=/a\n').findings)).toEqual([
      [2, 'warning', 'deprecated-option'],
    ]);
  });

  it('checks values as the target release reads them', () => {
    const text = [
      '[global]',
      'start-fast=yes',
      'repo1-retention-full=0',
      'log-level-console=loud',
      'buffer-size=3MiB',
      'process-max=two',
      'repo1-path=relative/path',
      'archive-push-queue-max=5PiB',
      'compress-level-network=10',
      '[a]',
      'pg1-path=/a',
    ].join('\n');
    expect(codes(lint(text).findings)).toEqual([
      [2, 'error', 'invalid-value'],
      [3, 'error', 'out-of-range'],
      [4, 'error', 'not-allowed'],
      [5, 'error', 'not-allowed'],
      [6, 'error', 'invalid-value'],
      [7, 'error', 'invalid-value'],
      [8, 'error', 'out-of-range'],
      [9, 'error', 'out-of-range'],
    ]);
    expect(lint(text).findings[0]!.fix).toBe('start-fast=y');
    const time = (value: string, version: string) =>
      lint(`[global]\nprotocol-timeout=${value}\n[a]\npg1-path=/a\n`, version).ok;
    expect([time('abc', '2.45'), time('1.5', '2.45'), time('300 ; seconds', '2.45'), time('5m', '2.45')]).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect(codes(lint('[global]\nprotocol-timeout=5m\n[a]\npg1-path=/a\n').findings)).toEqual([
      [2, 'warning', 'value-misread'],
    ]);
    expect([time('5m', '2.55.1'), time('1.5', '2.55.1'), time('90s', '2.55.1')]).toEqual([true, false, true]);
  });

  it('checks compression levels per compression type', () => {
    const level = (type: string, value: string) =>
      codes(lint(`[global]\ncompress-type=${type}\ncompress-level=${value}\n[a]\npg1-path=/a\n`).findings).map(
        (c) => c[2],
      );
    expect(level('gz', '10')).toEqual(['out-of-range']);
    expect(level('zst', '10')).toEqual([]);
    expect(level('none', '99')).toEqual([]);
  });

  it('applies the cross-option rules pgBackRest enforces in code', () => {
    const equal = lint('[global]\ndb-timeout=1800\nprotocol-timeout=1800\n[a]\npg1-path=/a\n');
    expect(codes(equal.findings)).toEqual([[3, 'error', 'invalid-combination']]);
    expect(lint('[global]\ndb-timeout=3600\n[a]\npg1-path=/a\n').ok).toBe(true);
    expect(codes(lint('[global]\nrepo1-host=r\n[a]\npg1-path=/a\npg1-host=d\n').findings)).toEqual([
      [2, 'error', 'conflicting-options'],
    ]);
  });

  it('asks for beta where the release marks an option beta', () => {
    const text = '[global]\nrepo1-bundle=y\nrepo1-block=y\n[a]\npg1-path=/a\n';
    expect(codes(lint(text).findings)).toEqual([[3, 'error', 'beta-required']]);
    expect(lint(text.replace('[global]\n', '[global]\nbeta=y\n')).ok).toBe(true);
  });

  it('judges only the value pgBackRest reads: a bad [global] value a stanza overrides is not checked', () => {
    expect(lint('[global]\nprocess-max=abc\n[a]\npg1-path=/a\nprocess-max=2\n').ok).toBe(true);
    expect(lint('[global]\nprocess-max=abc\n[a]\npg1-path=/a\n').ok).toBe(false);
  });

  it('warns about inline comments pgBackRest keeps in the value, and states the value back without them', () => {
    const result = lint(
      '[global]\nbackup-standby = y  ; comment\n[a]\npg1-path=/var/lib/pgsql/14/data   # adjust path\n',
    );
    expect(codes(result.findings)).toEqual([
      [2, 'error', 'invalid-value'],
      [2, 'warning', 'inline-comment'],
      [4, 'warning', 'inline-comment'],
    ]);
    const [standby, , path] = result.findings.filter((f) => f.code !== 'retention-not-set');
    expect(standby!.fix).toMatch(/^backup-standby=y /);
    expect(path!.fix).toMatch(/^pg1-path=\/var\/lib\/pgsql\/14\/data /);
    expect(path!.column).toBe(35);
  });

  it('never repeats a secret that carries an inline comment', () => {
    const result = lint(
      '[global]\nrepo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=Hunter2-Secret  ; change this!\n[a]\npg1-path=/a\n',
    );
    expect(codes(result.findings)).toEqual([[3, 'warning', 'inline-comment']]);
    expect(JSON.stringify(result)).not.toContain('Hunter2-Secret');
  });

  it('warns when full retention is not set, as pgBackRest does at backup and expire', () => {
    const result = lint('[global]\nrepo1-path=/r\n[a]\npg1-path=/a\n');
    expect(result.findings.map((f) => [f.code, f.option, f.commands])).toEqual([
      ['retention-not-set', 'repo1-retention-full', ['backup', 'expire']],
    ]);
  });

  it('flags secrets by file mode: error when others can read, warning when the group can, nothing at 600', () => {
    const text = '[global]\nrepo1-cipher-type=aes-256-cbc\nrepo1-cipher-pass=not-a-real-pass\n[a]\npg1-path=/a\n';
    const open = lintConfig(text, { version: '2.45', fileMode: 0o100644 });
    expect(codes(open.findings)).toEqual([[3, 'error', 'secret-readable']]);
    expect(JSON.stringify(open)).not.toContain('not-a-real-pass');
    expect(codes(lintConfig(text, { version: '2.45', fileMode: 0o100640 }).findings)).toEqual([
      [3, 'warning', 'secret-readable'],
    ]);
    expect(codes(lintConfig(text, { version: '2.45', fileMode: 0o100600 }).findings)).toEqual([]);
    const notSecrets =
      '[global]\nrepo1-type=gcs\nrepo1-gcs-bucket=b\nrepo1-gcs-key=/etc/key.json\nrepo2-type=azure\nrepo2-azure-account=a\nrepo2-azure-container=c\nrepo2-azure-endpoint=blob.core.windows.net\n[a]\npg1-path=/a\n';
    const modes = lintConfig(notSecrets, { version: '2.45', fileMode: 0o100644 }).findings.map((f) => f.code);
    expect(modes).not.toContain('secret-readable');
  });

  it('flags duplicates, invalid lines and options outside a section', () => {
    const text = 'start-fast=y\n[global]\nrepo1-path=/a\nrepo1-path=/b\nnot an option\n[a]\npg1-path=/a\ndb-path=/b\n';
    expect(codes(lint(text).findings)).toEqual([
      [1, 'error', 'option-outside-section'],
      [4, 'error', 'duplicate-option'],
      [5, 'error', 'invalid-line'],
      [8, 'warning', 'deprecated-option'],
      [8, 'error', 'duplicate-option'],
    ]);
  });

  it('says once that a file without a stanza was not checked for stanza options', () => {
    expect(codes(lint('[global]\nrepo1-path=/r\nrepo1-retention-full=2\n').findings)).toEqual([
      [1, 'info', 'no-stanza'],
    ]);
  });
});
