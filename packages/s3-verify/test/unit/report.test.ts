import { describe, expect, it } from 'vitest';
import { checkInfoPair } from '../../src/info-pair.js';
import { repoKeyPrefix } from '../../src/options.js';
import { decideOutcome, exitCodeFor, type VerifyReport } from '../../src/report.js';
import { parseVerifyConfig, verifyReportSchema } from '../../src/schema.js';
import { summarizeReport } from '../../src/summary.js';
import { fixture, fixturePassphrase } from './fixtures.js';

describe('checkInfoPair on recorded info files', () => {
  it('accepts a healthy pair', () => {
    const result = checkInfoPair(
      'b/backup.info',
      fixture('plain/backup.info'),
      fixture('plain/backup.info.copy'),
      undefined,
      's',
    );
    expect(result.findings).toEqual([]);
    expect(result.encrypted).toBe(false);
    expect(result.info?.checksumValid).toBe(true);
  });

  it('uses the intact copy when the main file is corrupt, and says so', () => {
    const corrupt = Buffer.from(
      fixture('plain/backup.info').toString().replace('"backup-error":false', '"backup-error":true'),
    );
    const result = checkInfoPair('b/backup.info', corrupt, fixture('plain/backup.info.copy'), undefined, 's');
    expect(result.findings.map((f) => [f.code, f.where?.key])).toEqual([['info-checksum-mismatch', 'b/backup.info']]);
    expect(result.info?.computedChecksum).toBe(result.info?.checksum);
  });

  it('reports a missing copy and a wrong passphrase', () => {
    const missing = checkInfoPair('a/archive.info', fixture('plain/archive.info'), undefined, undefined, 's');
    expect(missing.findings.map((f) => f.code)).toEqual(['info-file-missing']);
    const wrong = checkInfoPair(
      'a/archive.info',
      fixture('encrypted/archive.info'),
      fixture('encrypted/archive.info.copy'),
      'nope',
      's',
    );
    expect(wrong.wrongPassphrase).toBe(true);
    expect(wrong.info).toBeUndefined();
    expect(wrong.findings.map((f) => f.code)).toEqual(['wrong-passphrase']);
    const right = checkInfoPair(
      'a/archive.info',
      fixture('encrypted/archive.info'),
      fixture('encrypted/archive.info.copy'),
      fixturePassphrase,
      's',
    );
    expect(right.findings).toEqual([]);
    expect(right.encrypted).toBe(true);
  });

  it('asks for a passphrase for an encrypted repository', () => {
    const result = checkInfoPair('a/archive.info', fixture('encrypted/archive.info'), undefined, undefined, 's');
    expect(result.findings.map((f) => f.code).sort()).toEqual(['info-file-missing', 'passphrase-missing']);
  });
});

describe('outcome and exit code', () => {
  it('maps access, verification and findings to 0, 1, 2', () => {
    expect(exitCodeFor({ outcome: decideOutcome(true, [{ verified: true }], []) })).toBe(0);
    expect(exitCodeFor({ outcome: decideOutcome(true, [{ verified: true }], [{ severity: 'info' }]) })).toBe(0);
    expect(exitCodeFor({ outcome: decideOutcome(true, [{ verified: true }], [{ severity: 'warning' }]) })).toBe(1);
    expect(exitCodeFor({ outcome: decideOutcome(true, [{ verified: false }], [{ severity: 'error' }]) })).toBe(2);
    expect(exitCodeFor({ outcome: decideOutcome(false, [], []) })).toBe(2);
  });
});

describe('report schema and summary', () => {
  const report: VerifyReport = {
    schemaVersion: 1,
    generatedAt: '2026-11-24T00:00:00.000Z',
    target: { storage: 's3', bucket: 'b', region: 'ca-central-1', endpoint: null, repoPath: '/pg' },
    outcome: 'findings',
    access: { ok: true },
    bucket: {
      versioning: 'unknown',
      objectLock: 'disabled',
      encryption: { state: 'unknown' },
      unknownReasons: { versioning: 'NotImplemented', encryption: 'NotImplemented' },
    },
    stanzas: [],
    findings: [
      { code: 'wal-in-flight', severity: 'info', message: 'uploading' },
      { code: 'wal-missing', severity: 'error', message: '1 WAL segment(s) missing', stanza: 'main' },
    ],
    cost: { pricePerGibMonth: 0.025, currency: 'USD', assumption: 'x', bytes: 2 * 1024 ** 3, monthly: 0.05 },
    settings: {
      gracePeriodSeconds: 600,
      inFlightSegments: 8,
      deep: false,
      deepProof: null,
      concurrency: 12,
      encryptionSampleSize: 16,
    },
  };

  it('round-trips through JSON', () => {
    expect(verifyReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(() => verifyReportSchema.parse({ ...report, schemaVersion: 2 })).toThrow();
  });

  it('summarizes with errors first and the cost', () => {
    const lines = summarizeReport(report).split('\n');
    expect(lines[0]).toBe('FINDINGS: s3://b/pg (ca-central-1)');
    expect(lines.findIndex((l) => l.includes('wal-missing'))).toBeLessThan(
      lines.findIndex((l) => l.includes('wal-in-flight')),
    );
    expect(lines.at(-1)).toContain('2.0 GiB ≈ USD 0.05/month');
  });
});

describe('config files', () => {
  it('accept passphrase references and refuse plain passphrases', () => {
    const config = parseVerifyConfig({ bucket: 'b', region: 'ca-central-1', cipherPassphrase: { env: 'PASS' } });
    expect(config.cipherPassphrase).toEqual({ env: 'PASS' });
    expect(() => parseVerifyConfig({ bucket: 'b', region: 'r', cipherPassphrase: { value: 'secret' } })).toThrow();
    expect(() => parseVerifyConfig({ bucket: 'b', region: 'r', cipherPassphrase: 'secret' })).toThrow();
  });

  it('turns repo-path into a key prefix', () => {
    expect(repoKeyPrefix('/')).toBe('');
    expect(repoKeyPrefix(undefined)).toBe('');
    expect(repoKeyPrefix('/backups/pg/')).toBe('backups/pg/');
  });
});
