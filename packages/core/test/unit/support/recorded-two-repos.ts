import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseInfo } from '../../../src/info/index.js';
import type { PolicyInput } from '../../../src/policy/index.js';

/** Reads a file from test/fixtures/info. */
export function infoFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/info/${name}`, import.meta.url)), 'utf8');
}

/** Recorded from a real pgBackRest 2.45 run: repo1 = encrypted S3, repo2 = unencrypted posix. */
export const recordedTwoRepos = parseInfo(infoFixture('pgbackrest-2.45-s3-encrypted-plus-posix.json'));

/** Stop time of the newest backup in {@link recordedTwoRepos}. */
export const recordedLastStop = new Date(1795497721 * 1000);

/** A policy describing the recorded layout (off-site S3 + local posix), with the given objectives. */
export function twoRepoPolicyInput(objectives: PolicyInput['objectives']): PolicyInput {
  return {
    version: 1,
    stanza: 'demo',
    database: { path: '/var/lib/postgresql/15/main' },
    repositories: [
      {
        name: 'offsite',
        type: 's3',
        bucket: 'chronos',
        region: 'us-east-1',
        offsite: true,
        credentials: { type: 'auto' },
        retention: { full: { count: 2 } },
      },
      {
        name: 'local',
        type: 'posix',
        path: '/var/lib/pgbackrest',
        offsite: false,
        retention: { full: { count: 2 } },
        encryption: { cipher: 'none' },
      },
    ],
    schedule: {
      full: { cron: '0 2 * * 0', timeZone: 'America/Toronto' },
      diff: { cron: '0 2 * * 1-6', timeZone: 'America/Toronto' },
    },
    encryption: { cipher: 'aes-256-cbc', passphrase: { env: 'CIPHER_PASS' }, requiredFor: 'offsite' },
    archiving: { mode: 'continuous', async: false },
    objectives,
    redundancy: { copies: 3, storageKinds: 2, offsiteCopies: 1, countProduction: true },
  };
}
