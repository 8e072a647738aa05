import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  isPolicyValidationError,
  type PolicyValidationError,
  parsePolicy,
  validatePolicy,
} from '../../../src/policy/index.js';

const examplePath = fileURLToPath(new URL('../../../../../examples/chronos-policy.json', import.meta.url));
const exampleText = readFileSync(examplePath, 'utf8');
const example = JSON.parse(exampleText) as Record<string, unknown>;

function issuesOf(document: unknown): PolicyValidationError['issues'] {
  try {
    validatePolicy(document);
  } catch (error) {
    if (isPolicyValidationError(error)) return error.issues;
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary paths of a JSON document
type Doc = Record<string, any>;

function withChange(change: (doc: Doc) => void): Record<string, unknown> {
  const copy = structuredClone(example) as Doc;
  change(copy);
  return copy;
}

describe('the reference policy', () => {
  it('validates and applies defaults', () => {
    const policy = parsePolicy(exampleText);
    expect(policy.stanza).toBe('chronos');
    expect(policy.repositories.map((repo) => [repo.name, repo.type, repo.offsite])).toEqual([
      ['local', 'posix', false],
      ['offsite', 's3', true],
    ]);
    expect(policy.schedule.full).toEqual({ cron: '0 2 * * 0', timeZone: 'America/Toronto' });
    expect(policy.encryption.passphrase).toEqual({ env: 'CHRONOS_REPO_CIPHER_PASS' });
  });

  it('ships the same policy as commented YAML', () => {
    const yamlPath = fileURLToPath(new URL('../../../../../examples/chronos-policy.yaml', import.meta.url));
    const { $schema: _, ...fromJson } = parsePolicy(exampleText);
    expect(parsePolicy(readFileSync(yamlPath, 'utf8'))).toEqual(fromJson);
  });

  it('reads the same document written as YAML 1.2', async () => {
    const { stringify } = await import('yaml');
    expect(parsePolicy(stringify(example))).toEqual(parsePolicy(exampleText));
  });
});

describe('rejected policies', () => {
  it('refuses an inline passphrase without echoing it', () => {
    const doc = withChange((d) => {
      d.encryption.passphrase = 'correct horse battery staple';
    });
    const issues = issuesOf(doc);
    expect(issues).toContainEqual({ path: 'encryption.passphrase', message: expect.stringContaining('inline secret') });
    expect(JSON.stringify(issues)).not.toContain('correct horse');
  });

  it('refuses secrets put where a variable name belongs', () => {
    const doc = withChange((d) => {
      d.repositories[1].credentials.accessKeyId = { env: 'AKIAIOSFODNN7EXAMPLE' };
      d.repositories[1].credentials.secretAccessKey = { env: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' };
    });
    const issues = issuesOf(doc);
    expect(issues.map((issue) => issue.path)).toEqual([
      'repositories[1].credentials.accessKeyId.env',
      'repositories[1].credentials.secretAccessKey.env',
    ]);
    expect(issues[0]?.message).toContain('AWS access key id');
    expect(JSON.stringify(issues)).not.toContain('wJalr');
  });

  it('refuses a relative passphrase file and a reference with both env and file', () => {
    expect(issuesOf(withChange((d) => (d.encryption.passphrase = { file: 'secret.txt' })))).toEqual([
      { path: 'encryption.passphrase.file', message: expect.stringContaining('absolute file path') },
    ]);
    expect(issuesOf(withChange((d) => (d.encryption.passphrase = { env: 'A', file: '/a' })))[0]?.message).toContain(
      'exactly one of "env" or "file"',
    );
  });

  it('lists every issue with its path and a fix', () => {
    const doc = withChange((d) => {
      d.stanza = 'bad stanza';
      d.schedule.full = { cron: '0 2 * *', timeZone: 'America/Torontoo' };
      d.repositories[0].retention.full = { days: 7, count: 2 };
      d.repositories[0].type = 'ftp';
      d.repositories[1].colour = 'blue';
    });
    const issues = issuesOf(doc);
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      ['stanza', 'schedule.full.cron', 'schedule.full.timeZone', 'repositories[0].type', 'repositories[1]'].sort(),
    );
    expect(issues.find((i) => i.path === 'schedule.full.timeZone')?.message).toContain('IANA');
    expect(issues.find((i) => i.path === 'repositories[1]')?.message).toContain('"colour"');
  });

  it('checks retention, repository names and the drill repository', () => {
    const doc = withChange((d) => {
      d.repositories[0].retention.full = { days: 7, count: 2 };
      d.repositories[1].name = 'local';
      d.restoreDrill.repository = 'elsewhere';
    });
    expect(issuesOf(doc).map((i) => i.path)).toEqual([
      'repositories[0].retention.full',
      'repositories[1].name',
      'restoreDrill.repository',
    ]);
  });

  it('refuses a 3-2-1 requirement the declared repositories cannot meet', () => {
    const doc = withChange((d) => {
      d.repositories = [d.repositories[0]];
      d.restoreDrill.repository = 'local';
    });
    expect(issuesOf(doc).map((i) => i.path)).toEqual([
      'redundancy.copies',
      'redundancy.storageKinds',
      'redundancy.offsiteCopies',
    ]);
  });

  it('refuses an unencrypted repository when encryption is required', () => {
    const doc = withChange((d) => {
      d.repositories[1].encryption = { cipher: 'none' };
    });
    expect(issuesOf(doc)).toEqual([
      { path: 'repositories[1].encryption', message: expect.stringContaining('set cipher aes-256-cbc') },
    ]);
    const offsiteOnly = withChange((d) => {
      d.encryption.requiredFor = 'offsite';
      d.repositories[0].encryption = { cipher: 'none' };
    });
    expect(validatePolicy(offsiteOnly).repositories[0]?.encryption).toEqual({ cipher: 'none' });
  });

  it('says which fields are missing and which format version it reads', () => {
    const doc = withChange((d) => {
      d.version = 2;
      delete d.database;
      d.repositories[1].credentials = { type: 'password' };
    });
    expect(issuesOf(doc)).toEqual([
      { path: 'version', message: 'this SDK reads policy format version 1: set "version": 1' },
      { path: 'database', message: 'required: add this field (object)' },
      {
        path: 'repositories[1].credentials.type',
        message: expect.stringContaining('shared (with accessKeyId and secretAccessKey references), auto or web-id'),
      },
    ]);
  });

  it('reports syntax errors as a validation error', () => {
    expect(() => parsePolicy('{ "version": 1,')).toThrowError(/not valid JSON or YAML/);
  });
});
