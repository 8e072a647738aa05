import {
  DEFAULT_STACK_IMAGE,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
} from '@chronos/pgbackrest/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, runCli } from '../helpers/run-cli.js';

const image = process.env['CHRONOS_TEST_IMAGE'] ?? DEFAULT_STACK_IMAGE;
const skip = await integrationGate(await probeDocker(), await probeImage(image));

describe.skipIf(skip)(skip ?? `chronos stanza create | upgrade | delete through --docker (${image})`, () => {
  let stack: PgBackRestStack;
  let globals: string[];

  beforeAll(async () => {
    stack = await startContainerStack({ image, repos: [{ type: 'posix' }], options: { 'start-fast': 'y' } });
    if (stack.transport.kind !== 'container') throw new Error('expected a container stack');
    globals = ['--stanza', stack.stanza, '--docker', stack.transport.containerName, '--user', stack.transport.user];
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const statusCode = async () => envelope(await runCli([...globals, 'info', '--json'])).result[0].status.code;

  it('creates the stanza, refuses to delete it without --force or a confirmation, deletes it with --force --yes', async () => {
    const created = await runCli([...globals, 'stanza', 'create', '--json']);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(envelope(created).result).toEqual({ stanza: stack.stanza, created: true });
    expect(await statusCode()).toBe(2);
    const backup = await runCli([...globals, 'backup', '--type', 'full'], { timeout: 240_000 });
    expect(backup.exitCode, backup.stderr).toBe(0);

    const upgrade = await runCli([...globals, 'stanza', 'upgrade']);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);

    const noForce = await runCli([...globals, 'stanza', 'delete']);
    expect(noForce.exitCode).toBe(2);
    expect(noForce.stderr).toContain('pass --force');

    const noTerminal = await runCli([...globals, 'stanza', 'delete', '--force']);
    expect(noTerminal.exitCode).toBe(2);
    expect(noTerminal.stderr).toMatch(/repo1: 1 backup\(s\) \(1 full, 0 diff, 0 incr\), recovery window \d{4}-/);
    expect(noTerminal.stderr).toContain('pass --yes');
    expect(await statusCode()).toBe(0);

    const deleted = await runCli([...globals, 'stanza', 'delete', '--force', '--yes', '--json']);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    const result = envelope(deleted).result;
    expect(result.deleted).toBe(true);
    expect(result.lost).toMatchObject([{ repo: 1, backups: 1, full: 1 }]);
    expect(await statusCode()).toBe(1);
  }, 600_000);

  it('after a delete, the stanza can be created again and backed up (no stop file left behind)', async () => {
    const created = await runCli([...globals, 'stanza', 'create']);
    expect(created.exitCode, created.stderr).toBe(0);
    const backup = await runCli([...globals, 'backup', '--type', 'full'], { timeout: 240_000 });
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect(await statusCode()).toBe(0);
  }, 600_000);
});
