import { describe, expect, it } from 'vitest';
import { runContainerDrill } from '../../src/drill/index.js';
import { runProcess } from '../../src/exec/process.js';
import {
  createStackClient,
  integrationGate,
  probeDocker,
  probeImage,
  startContainerStack,
} from '../../src/testing/index.js';

const IMAGES = [
  { image: 'chronos-pg:17-2.55.1', pgMajor: 17, pgBackRest: '2.55.1' },
  { image: 'chronos-pg:18-2.60.0', pgMajor: 18, pgBackRest: '2.60.0' },
] as const;
const docker = await probeDocker();
const skip = await integrationGate(
  ...(docker.available ? [docker, ...(await Promise.all(IMAGES.map((i) => probeImage(i.image))))] : [docker]),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function dockerLines(...args: string[]): Promise<string[]> {
  const result = await runProcess({ file: 'docker', args, timeout: 60_000 });
  return result.stdout.split('\n').filter(Boolean);
}

describe.skipIf(skip)(skip ?? 'the container drill on newer PostgreSQL and pgBackRest releases', () => {
  it.each(IMAGES)(
    '$image: proves the rows before the target and none after, and removes its container and volume',
    async ({ image, pgMajor, pgBackRest }) => {
      await using stack = await startContainerStack({
        image,
        repos: [{ type: 'posix' }],
        options: { 'start-fast': 'y', 'archive-timeout': '60' },
      });
      expect(stack.pgMajor).toBe(pgMajor);
      expect(stack.pgBackRestVersion).toBe(pgBackRest);
      const client = createStackClient(stack, { timeout: 300_000 });
      await client.stanzaCreate();
      await client.backup({ type: 'full' });
      await stack.psql(
        "CREATE TABLE marker (phase text); INSERT INTO marker SELECT 'before' FROM generate_series(1, 3)",
      );
      await sleep(1_200);
      const target = (
        await stack.psql(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)
      ).trim();
      await sleep(1_200);
      await stack.psql("INSERT INTO marker VALUES ('after')");
      await client.check();

      const report = await runContainerDrill({
        client,
        image,
        target: { type: 'time', time: target },
        checks: [
          {
            name: 'before',
            sql: "SELECT count(*) FROM marker WHERE phase = 'before'",
            expect: { kind: 'count-at-least', min: 3 },
          },
          { name: 'after', sql: "SELECT count(*) = 0 FROM marker WHERE phase = 'after'", expect: { kind: 'true' } },
        ],
      });
      expect(report.pgVersion).toBe(String(pgMajor));
      expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual([
        'before:passed',
        'after:passed',
        'pg_amcheck:passed',
      ]);
      expect(report.outcome).toBe('proven');
      expect(Date.parse(report.rpo.lastReplayedCommit!)).toBeLessThanOrEqual(Date.parse(target));
      expect(await dockerLines('ps', '-a', '--filter', 'label=chronos.drill=1', '--format', '{{.Names}}')).toEqual([]);
      expect(
        (await dockerLines('volume', 'ls', '--format', '{{.Name}}')).filter((v) => v.startsWith('chronos-drill-')),
      ).toEqual([]);
    },
    600_000,
  );
});
