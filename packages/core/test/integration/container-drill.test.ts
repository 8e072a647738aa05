import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillConfigFacts, runContainerDrill } from '../../src/drill/index.js';
import { runProcess } from '../../src/exec/process.js';
import {
  createStackClient,
  DEFAULT_STACK_IMAGE,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  type S3Endpoint,
  startContainerStack,
  startS3Endpoint,
} from '../../src/testing/index.js';

const image = process.env['CHRONOS_TEST_IMAGE'] ?? DEFAULT_STACK_IMAGE;
const docker = await probeDocker();
const skip = await integrationGate(...(docker.available ? [docker, await probeImage(image)] : [docker]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cipherPass = `drill-${Math.random().toString(36).slice(2)}`;

async function dockerLines(...args: string[]): Promise<string[]> {
  const result = await runProcess({ file: 'docker', args, timeout: 60_000 });
  return result.stdout.split('\n').filter(Boolean);
}

describe.skipIf(skip)(skip ?? `runContainerDrill runs the drill in a throwaway container (${image})`, () => {
  let s3: S3Endpoint;
  let stack: PgBackRestStack;
  let target: string;
  let postmaster: () => Promise<string>;
  let dataListing: () => Promise<string>;

  beforeAll(async () => {
    s3 = await startS3Endpoint({ bucket: 'container-drill' });
    stack = await startContainerStack({
      image,
      repos: [{ type: 'posix' }, { type: 's3', endpoint: s3, cipherPass }],
      options: { 'start-fast': 'y', 'archive-timeout': '60' },
    });
    const client = createStackClient(stack, { timeout: 300_000 });
    await client.stanzaCreate();
    await client.backup({ type: 'full' });
    await client.backup({ type: 'full', repo: 2 });
    await stack.psql("CREATE TABLE marker (phase text); INSERT INTO marker SELECT 'before' FROM generate_series(1, 3)");
    await sleep(1_200);
    target = (
      await stack.psql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
    ).trim();
    await sleep(1_200);
    await stack.psql("INSERT INTO marker VALUES ('after')");
    await client.check();
    postmaster = async () => (await stack.exec('cat', [`${stack.pg.dataPath}/postmaster.pid`])).stdout;
    dataListing = async () => (await stack.exec('ls', ['-a', stack.pg.dataPath])).stdout;
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
  });

  it.each([1, 2])(
    'proves repo%i to the target, leaves the production container untouched and removes its container and volume',
    async (repo) => {
      const pid = await postmaster();
      const listing = await dataListing();
      const report = await runContainerDrill({
        client: createStackClient(stack, { timeout: 300_000 }),
        image,
        target: { type: 'time', time: target, repo },
        checks: [
          {
            name: 'before',
            sql: "SELECT count(*) FROM marker WHERE phase = 'before'",
            expect: { kind: 'count-at-least', min: 3 },
          },
          { name: 'after', sql: "SELECT count(*) = 0 FROM marker WHERE phase = 'after'", expect: { kind: 'true' } },
        ],
      });
      expect(report.outcome).toBe('proven');
      expect(report.repo).toBe(repo);
      expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual([
        'before:passed',
        'after:passed',
        'pg_amcheck:passed',
      ]);
      expect(JSON.stringify(report)).not.toContain(cipherPass);
      expect(await postmaster()).toBe(pid);
      expect(await dataListing()).toBe(listing);
      expect(await dockerLines('ps', '-a', '--filter', 'label=chronos.drill=1', '--format', '{{.Names}}')).toEqual([]);
      expect(
        (await dockerLines('volume', 'ls', '--format', '{{.Name}}')).filter((v) => v.startsWith('chronos-drill-')),
      ).toEqual([]);
      const inProduction = await stack.exec('ps', ['-eo', 'args']);
      expect(inProduction.stdout).not.toContain('chronos-drill');
    },
    600_000,
  );

  it('reads the data directory and repository paths from pgbackrest.conf', () => {
    expect(drillConfigFacts('[global]\nrepo1-path=/r1\nrepo2-path=/r2\n[main]\npg1-path=/data\n', 'main')).toEqual({
      pg1Path: '/data',
      repoPaths: ['/r1', '/r2'],
    });
  });
});
