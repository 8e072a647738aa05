import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeProgress } from '../../../src/analysis/index.js';
import {
  InfoParseError,
  parseInfo,
  parseInfoDocument,
  parseInfoProgress,
  supportsInfoProgress,
} from '../../../src/info/index.js';
import { quoteUnsafeIntegers } from '../../../src/info/long-integers.js';

const recorded = (version: string, file: string) =>
  readFileSync(new URL(`../../fixtures/recorded/${version}/${file}`, import.meta.url), 'utf8');
const idle = recorded('2.60.0', 'info-progress.json');
const duringBackup = recorded('2.60.0', 'info-progress-backup.json');

function parseError(run: () => unknown): InfoParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InfoParseError);
    return error as InfoParseError;
  }
  return expect.unreachable('the parser accepted the input');
}

describe('parseInfoProgress on real pgBackRest 2.60.0 info --detail-level=progress output', () => {
  it('keeps every field of the idle and the running-backup recordings (lossless)', () => {
    for (const text of [idle, duringBackup]) expect(parseInfoProgress(text)).toStrictEqual(JSON.parse(text));
  });

  it('reads the backup lock with its total, per-repository progress and the restore lock', () => {
    const raw = JSON.parse(duringBackup)[0].status.lock.backup;
    const [stanza] = parseInfoProgress(duringBackup);
    expect(stanza?.name).toBe('demo');
    expect(stanza?.status.code).toBe(0);
    const backup = stanza?.status.lock?.backup;
    expect(backup?.held).toBe(true);
    expect(backup?.size).toBe(raw.size);
    expect(backup?.['size-cplt']).toBeGreaterThan(0);
    expect(backup?.['size-cplt']).toBeLessThan(backup?.size ?? 0);
    expect(backup?.repo?.map((r) => r.key)).toEqual([1]);
    expect(stanza?.status.lock?.restore?.held).toBe(false);
    expect(parseInfoProgress(idle)[0]?.status.lock?.backup.held).toBe(false);
  });

  it('keeps fields unknown to this SDK', () => {
    const doc = JSON.parse(duringBackup);
    doc[0].status.lock.backup['eta-seconds'] = 12;
    doc[0].future = { kept: true };
    const [stanza] = parseInfoProgress(JSON.stringify(doc));
    expect(stanza?.status.lock?.backup['eta-seconds']).toBe(12);
    expect(stanza?.['future']).toEqual({ kept: true });
  });

  it('parses full output too, keeping its other fields', () => {
    for (const version of ['2.45', '2.55.1', '2.60.0']) {
      const text = recorded(version, 'info.json');
      const [stanza] = parseInfoProgress(text);
      expect(stanza?.name).toBe('demo');
      expect(stanza?.['backup']).toEqual(JSON.parse(quoteUnsafeIntegers(text))[0].backup);
    }
  });
});

describe('parseInfoDocument tells the detail levels apart', () => {
  it('says progress for progress-mode output and full for every full recording', () => {
    expect(parseInfoDocument(duringBackup).detailLevel).toBe('progress');
    expect(parseInfoDocument(idle).detailLevel).toBe('progress');
    for (const version of ['2.45', '2.55.1', '2.60.0']) {
      for (const file of ['info.json', 'info-set.json']) {
        const document = parseInfoDocument(recorded(version, file));
        expect(document.detailLevel, `${version}/${file}`).toBe('full');
        expect(document.info).toEqual(parseInfo(recorded(version, file)));
      }
    }
  });

  it('reads an empty repository ([]) as full', () => {
    expect(parseInfoDocument('[]')).toEqual({ detailLevel: 'full', info: [] });
  });
});

describe('parseInfo on progress-mode output', () => {
  it('does not call it invalid: it names the mode and the parser that reads it', () => {
    const error = parseError(() => parseInfo(duringBackup));
    expect(error.detailLevel).toBe('progress');
    expect(error.message).not.toMatch(/invalid/i);
    expect(error.message).toMatch(/--detail-level=progress/);
    expect(error.message).toMatch(/parseInfoProgress/);
  });
});

describe('valid JSON that is no info output', () => {
  it.each([
    ['{}', '(root)', /expected an array of stanza objects with name and status, got an empty object/],
    [
      '{"args":[],"env":{}}',
      '(root)',
      /expected an array of stanza objects with name and status, got an object with args, env/,
    ],
    ['"ok"', '(root)', /expected an array of stanza objects with name and status, got a string/],
    ['[{"name":"demo"}]', '[0]', /expected a stanza object with name and status, got an object with name/],
    ['[1]', '[0]', /expected a stanza object with name and status, got a number/],
  ])('%s is refused by every parser, naming what info output looks like', (text, path, message) => {
    for (const parse of [parseInfo, parseInfoProgress, parseInfoDocument]) {
      const error = parseError(() => parse(text));
      expect(error.issues[0]?.path).toBe(path);
      expect(error.message).toMatch(message);
      expect(error.detailLevel).toBeUndefined();
    }
  });

  it('a progress stanza with a bad status names the path', () => {
    const doc = JSON.parse(duringBackup);
    doc[0].status.lock.backup.held = 'yes';
    const error = parseError(() => parseInfoProgress(JSON.stringify(doc)));
    expect(error.issues[0]?.path).toBe('[0].status.lock.backup.held');
  });
});

describe('analyzeProgress', () => {
  it('reports the running backup from the recording, with the fraction of its own numbers', () => {
    const raw = JSON.parse(duringBackup)[0].status.lock.backup;
    const [stanza] = analyzeProgress(parseInfoProgress(duringBackup)).stanzas;
    expect(stanza?.status.ok).toBe(true);
    expect(stanza?.backup).toMatchObject({
      running: true,
      totalBytes: raw.size,
      completedBytes: raw['size-cplt'],
      fraction: raw['size-cplt'] / raw.size,
      perRepo: [{ repoKey: 1, totalBytes: raw.repo[0].size, completedBytes: raw.repo[0]['size-cplt'] }],
    });
    expect(stanza?.restore.running).toBe(false);
    expect(analyzeProgress(parseInfoProgress(idle)).stanzas[0]?.backup.running).toBe(false);
  });

  it('reads the same locks from full info', () => {
    const [stanza] = analyzeProgress(parseInfo(recorded('2.60.0', 'info.json'))).stanzas;
    expect(stanza?.name).toBe('demo');
    expect(stanza?.backup.running).toBe(false);
  });
});

describe('supportsInfoProgress', () => {
  it('is true from pgBackRest 2.56 on', () => {
    expect(['2.45', '2.55.1', '2.56', '2.57.0', '2.60.0'].map(supportsInfoProgress)).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  it('matches what the recorded releases did with the option', () => {
    for (const version of ['2.45', '2.55.1']) {
      expect(recorded(version, 'info-progress-unsupported.txt')).toMatch(
        /ERROR: \[031\]: invalid option '--detail-level=progress'/,
      );
      expect(supportsInfoProgress(version)).toBe(false);
    }
    expect(supportsInfoProgress('2.60.0')).toBe(true);
  });
});
