import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { integrationGate, type PgBackRestStack, probePgBackRest } from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, parseWalFileName, verifyRepository } from '../../src/index.js';
import { PosixStorage } from '../../src/posix-storage.js';
import { startRepositories } from './repository.js';

const skip = await integrationGate(await probePgBackRest());

describe.skipIf(skip)(
  skip ?? 'deep verification of a zst-compressed posix repository written by pgBackRest 2.45',
  () => {
    let stack: PgBackRestStack;
    let repoDir: string;

    beforeAll(async () => {
      stack = await startRepositories([{ type: 'posix' }], { 'compress-type': 'zst' });
      repoDir = stack.repos[0]!.hostPath!;
    }, 600_000);

    afterAll(async () => {
      await stack?.stop();
    });

    it('decompresses every zst file and segment and finds nothing wrong', async () => {
      const report = await verifyRepository({ path: repoDir, deep: true });
      expect(report.findings).toEqual([]);
      const deep = report.stanzas[0]!.deep!;
      expect(deep.files).toBeGreaterThan(100);
      expect(deep.segmentBytes).toBe(deep.segments * 16 * 1024 * 1024);
      expect(report.stanzas[0]!.backups.every((b) => b.restorable === true)).toBe(true);
    });

    it('names a zst WAL segment with a flipped byte', async () => {
      const keys: string[] = [];
      for await (const page of new PosixStorage(repoDir).list(`archive/${stack.stanza}/`)) {
        for (const o of page.objects) {
          const name = parseWalFileName(o.key.slice(o.key.lastIndexOf('/') + 1));
          if (name.kind === 'segment' && name.compression === 'zst') keys.push(o.key);
        }
      }
      const key = keys[1]!;
      const path = join(repoDir, key);
      const original = await readFile(path);
      const damaged = Buffer.from(original);
      damaged[Math.floor(damaged.length / 2)] = damaged[Math.floor(damaged.length / 2)]! ^ 0xff;
      await writeFile(path, damaged);
      try {
        const report = await verifyRepository({ path: repoDir, deep: true });
        const errors = report.findings.filter((f) => f.severity !== 'info');
        expect(errors.map((f) => f.where?.key)).toEqual([key]);
        expect(['wal-segment-corrupt', 'wal-segment-checksum-mismatch']).toContain(errors[0]!.code);
        expect(exitCodeFor(report)).toBe(1);
      } finally {
        await writeFile(path, original);
      }
    });
  },
);
