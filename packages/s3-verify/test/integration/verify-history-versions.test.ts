import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
  switchWal,
  writeRows,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, verifyRepository } from '../../src/index.js';
import { pgbackrest, restoreAndPromote } from './repository.js';
import { expectBothClean, expectCoversPgBackRest, theirVerify, withChangedFile } from './side-by-side.js';

// The history-file cases of pgBackRest 2.45 (verify-plain), on the versions whose verify is newer.
const images = ['chronos-pg:17-2.55.1', 'chronos-pg:18-2.60.0'];
const docker = await probeDocker();
const skips = new Map<string, string | undefined>();
for (const image of images) {
  skips.set(image, await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker])));
}

/** Runs `during` with `key` removed from the posix repository, and puts it back after. */
async function withoutFile<T>(repoDir: string, key: string, during: () => Promise<T>): Promise<T> {
  const path = join(repoDir, key);
  const original = await readFile(path);
  await rm(path);
  try {
    return await during();
  } finally {
    await writeFile(path, original);
  }
}

describe.each(images)('timeline history in a posix repository written by %s', (image) => {
  const skip = skips.get(image);
  const version = image.slice(image.lastIndexOf('-') + 1);
  let stack: PgBackRestStack | undefined;
  let repoDir: string;
  let archiveId: string;
  const history = () => `archive/${stack!.stanza}/${archiveId}/00000002.history`;
  // Each damage is read by the shallow and the deep verification and by pgBackRest's verify, side by side.
  const allThree = async (recordAs: string) =>
    [
      await verifyRepository({ path: repoDir }),
      await verifyRepository({ path: repoDir, deep: true }),
      await theirVerify(stack!, { recordAs }),
    ] as const;

  beforeAll(async () => {
    if (skip !== undefined) return;
    stack = await startContainerStack({
      image,
      repos: [{ type: 'posix' }],
      options: { 'start-fast': 'y', 'archive-timeout': '120', 'compress-type': 'gz' },
    });
    repoDir = stack.repos[0]!.hostPath!;
    await pgbackrest(stack, 'stanza-create');
    await writeRows(stack, 2_000);
    await pgbackrest(stack, 'backup', '--type=full');
    await writeRows(stack, 2_000);
    await switchWal(stack);
    await switchWal(stack);
    await pgbackrest(stack, 'backup', '--type=diff');
    await pgbackrest(stack, 'check');
    // The diff is restored: the WAL from the full's start to where timeline 2 branched is on timeline 1.
    await restoreAndPromote(stack);
    const ids = (await readdir(join(repoDir, 'archive', stack.stanza))).filter((name) => /^\d+-\d+$/.test(name));
    expect(ids).toHaveLength(1);
    archiveId = ids[0]!;
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it.skipIf(skip !== undefined)('follows the timeline switch of a restore that promoted', async () => {
    const report = await verifyRepository({ path: repoDir, deep: true });
    const archive = report.stanzas[0]!.archives[0]!;
    expect(archive.archiveId).toBe(archiveId);
    expect(archive.timelines.map((t) => t.timeline)).toEqual([1, 2]);
    expect(archive.checked.map((r) => r.timeline)).toEqual([1, 2]);
    expect(exitCodeFor(report)).toBe(0);
    expectBothClean(report, await theirVerify(stack!));
  });

  it.skipIf(skip !== undefined)(
    'reports a removed history file and a rewritten one, and covers what pgBackRest reports',
    async () => {
      const [broken, brokenDeep, brokenTheirs] = await withoutFile(repoDir, history(), () =>
        allThree(`posix-history-missing-${version}`),
      );
      // Without it, timeline 2's history is unknown: continuity is checked from the oldest segment (a warning).
      expect(broken.findings.map((f) => [f.code, f.where?.key])).toEqual([
        ['wal-history-missing', history()],
        ['wal-not-checked', undefined],
      ]);
      expect(exitCodeFor(broken)).toBe(1);
      expect(brokenDeep.findings.map((f) => f.code)).toEqual(['wal-history-missing', 'wal-not-checked']);
      // pgBackRest's verify reads no history file on these versions either: it reports nothing.
      expect(brokenTheirs).toMatchObject({ status: 'ok', problems: [] });
      expectCoversPgBackRest(brokenDeep, brokenTheirs, {
        agreed: [],
        missedByPgBackRest: [
          ['wal-history-missing', history()],
          ['wal-not-checked', archiveId],
        ],
      });

      // The history of another restore: timeline 2 said to branch from timeline 1 far after the WAL it holds.
      const [altered, alteredDeep, alteredTheirs] = await withChangedFile(
        repoDir,
        history(),
        (bytes) => {
          const text = bytes.toString('utf8');
          const edited = text.replace(/^1\t[0-9A-F]+\/[0-9A-F]+\t/m, '1\tFF/0\t');
          expect(edited).not.toBe(text);
          return Buffer.from(edited);
        },
        () => allThree(`posix-history-rewritten-${version}`),
      );
      const mismatch = altered.findings.filter((f) => f.code === 'wal-history-mismatch');
      expect(mismatch.map((f) => f.where?.key)).toEqual([history()]);
      expect(mismatch[0]!.message).toMatch(/has WAL from before it branched from timeline 1 at FF\/0/);
      // The restore path that history describes also needs timeline 1's WAL up to FF/0, which is not there.
      expect(
        altered.findings.filter((f) => f !== mismatch[0]).map((f) => [f.code, f.where?.segments?.timeline]),
      ).toEqual([['wal-missing', 1]]);
      expect(exitCodeFor(altered)).toBe(1);
      expect(alteredTheirs).toMatchObject({ status: 'ok', problems: [] });
      const needed = altered.findings.find((f) => f.code === 'wal-missing')!.where!.segments!.first;
      expectCoversPgBackRest(alteredDeep, alteredTheirs, {
        agreed: [],
        missedByPgBackRest: [
          ['wal-history-mismatch', history()],
          ['wal-missing', needed],
        ],
      });
    },
  );
});
