import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor, verifyRepository } from '../../src/index.js';
import { backUpFullAndDiff, restoreAndPromote } from './repository.js';
import {
  branchLater,
  expectBothClean,
  expectHistoryMissing,
  expectHistoryRewritten,
  theirVerify,
  withChangedFile,
  withoutFile,
} from './side-by-side.js';

// The history-file cases of pgBackRest 2.45 (verify-plain), on the versions whose verify is newer.
const images = ['chronos-pg:17-2.55.1', 'chronos-pg:18-2.60.0'];
const docker = await probeDocker();
const skips = new Map<string, string | undefined>();
for (const image of images) {
  skips.set(image, await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker])));
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
    await backUpFullAndDiff(stack);
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
      const missing = await withoutFile(repoDir, history(), () => allThree(`posix-history-missing-${version}`));
      expectHistoryMissing(missing, history(), archiveId);
      // The history of another restore: timeline 2 said to branch from timeline 1 far after the WAL it holds.
      const rewritten = await withChangedFile(repoDir, history(), branchLater, () =>
        allThree(`posix-history-rewritten-${version}`),
      );
      expectHistoryRewritten(rewritten, history());
    },
  );
});
