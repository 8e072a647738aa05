import { chmod, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/exec/process.js';
import { ensureSuccess, integrationGate, probeDocker, probeImage } from '../../src/testing/index.js';

const workspace = fileURLToPath(new URL('../../../../', import.meta.url));
const image = 'chronos-pg:15-2.45';
const docker = await probeDocker();
const npm = await runProcess({ file: 'npm', args: ['--version'], timeout: 30_000 });
const skip = await integrationGate(
  docker,
  ...(docker.available ? [await probeImage(image)] : []),
  { available: npm.exitCode === 0, reason: 'no npm on PATH' },
  { available: process.getuid?.() === 0, reason: 'the kit runs as user nobody here, which needs root to switch to' },
);

describe.skipIf(skip)(skip ?? '@chronos/pgbackrest/testing from the packed tarballs, in a fresh npm project', () => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'chronos-packed-kit-'));
    await chmod(project, 0o755);
    const tarballs: Record<string, string> = {};
    for (const [name, dir] of [
      ['@chronos/pgbackrest', 'core'],
      ['@chronos/s3-verify', 's3-verify'],
      ['@chronos/cli', 'cli-example'],
    ] as const) {
      const packed = ensureSuccess(
        `pnpm pack ${name}`,
        await runProcess({
          file: 'pnpm',
          args: ['pack', '--pack-destination', project],
          cwd: join(workspace, 'packages', dir),
          timeout: 120_000,
        }),
      );
      tarballs[name] = `file:${packed.stdout.trim().split('\n').at(-1)}`;
    }
    const manifest = {
      name: 'packed-kit-user',
      private: true,
      type: 'module',
      devDependencies: {
        ...tarballs,
        s3rver: '^3.7.1',
        testcontainers: '^11.14.0',
        '@aws-sdk/client-s3': '3.1173.0',
        '@smithy/node-http-handler': '4.14.2',
      },
    };
    await writeFile(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
    await copyFile(
      fileURLToPath(new URL('../fixtures/packed-kit/scenario.mjs', import.meta.url)),
      join(project, 'scenario.mjs'),
    );
    ensureSuccess(
      'npm install',
      await runProcess({
        file: 'npm',
        args: ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
        cwd: project,
        timeout: 600_000,
      }),
    );
  }, 900_000);

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('installs s3rver unpatched, with peer ranges rather than pins', async () => {
    const installed = await readdir(join(project, 'node_modules', 's3rver', 'lib', 'controllers'));
    expect(installed).toContain('bucket.js');
    const core = JSON.parse(
      await readFile(join(project, 'node_modules', '@chronos', 'pgbackrest', 'package.json'), 'utf8'),
    ) as { peerDependencies: Record<string, string> };
    expect(core.peerDependencies).toEqual({ s3rver: '^3.7.1', testcontainers: '^11.14.0' });
  });

  it('as a non-root user: a container stack and the S3 endpoint list 1,500 keys, and nothing is left', async () => {
    const dockerGroup = ensureSuccess(
      'getent group docker',
      await runProcess({ file: 'getent', args: ['group', 'docker'] }),
    ).stdout.split(':')[2];
    const run = await runProcess({
      file: 'setpriv',
      args: [
        '--reuid=nobody',
        '--regid=nogroup',
        `--groups=${dockerGroup}`,
        '--reset-env',
        'env',
        // This project's own setup switches the reaper off: no registry serves its image here.
        'TESTCONTAINERS_RYUK_DISABLED=true',
        'HOME=/tmp',
        'AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1',
        process.execPath,
        'scenario.mjs',
        image,
      ],
      cwd: project,
      timeout: 240_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const seen = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(seen).toMatchObject({
      reaperAfterKit: null,
      uid: 65534,
      sdkListed: 1500,
      sdkDistinct: 1500,
      pgbackrestListed: 1500,
      onlyFolders: ['a'],
      stackRootLeft: false,
      s3DirectoryLeft: false,
    });
    expect(seen.repoOwner).not.toBe(65534);
  });
});
