import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgBackRest, type PgBackRestClient } from '../../src/client/index.js';
import type { PgBackRestCommand } from '../../src/commands/index.js';
import { isPgBackRestError, PgBackRestFileMissingError, PgBackRestTimeoutError } from '../../src/errors/index.js';
import { execute, type LogEvent, type Transport } from '../../src/exec/index.js';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  probePgBackRest,
  startContainerStack,
  startNativeStack,
  switchWal,
  writeRows,
} from '../../src/testing/index.js';

const IMAGE = 'chronos-pg:15-2.45';

function transportFor(stack: PgBackRestStack): Transport {
  return stack.transport.kind === 'native'
    ? { kind: 'local', runAs: { user: stack.transport.user } }
    : { kind: 'docker', container: stack.transport.containerName, user: stack.transport.user };
}

/** Client bound to a stack: its config file, its transport, the passphrase as a client option. */
function clientFor(stack: PgBackRestStack, cipherPass: string, onLog?: (event: LogEvent) => void): PgBackRestClient {
  const transport = transportFor(stack);
  return createPgBackRest({
    stanza: stack.stanza,
    config: stack.configPath,
    transport,
    options: { 'repo1-cipher-pass': cipherPass },
    timeout: 240_000,
    ...(onLog ? { onLog } : {}),
  });
}

/** Calls every client method against a real stanza with one encrypted posix repository. */
function exerciseEveryMethod(
  name: string,
  skip: string | undefined,
  start: (cipherPass: string) => Promise<PgBackRestStack>,
) {
  describe.skipIf(skip)(skip ?? name, () => {
    const cipherPass = `throwaway-${Math.random().toString(36).slice(2)}`;
    const logs: LogEvent[] = [];
    let stack: PgBackRestStack;
    let client: PgBackRestClient;
    let label: string;

    beforeAll(async () => {
      stack = await start(cipherPass);
      client = clientFor(stack, cipherPass, (event) => logs.push(event));
    }, 300_000);

    afterAll(async () => {
      await stack?.stop();
    });

    it('detects the version and creates, upgrades and checks the stanza', async () => {
      expect((await client.version()).version).toBe(stack.pgBackRestVersion);
      await client.stanzaCreate();
      await client.stanzaUpgrade();
      await writeRows(stack, 500);
      await client.check();
    });

    it('backs up, streaming log events, and reads info', async () => {
      const before = logs.length;
      await client.backup({ type: 'full', 'start-fast': true, 'log-level-console': 'info' });
      const events = logs.slice(before);
      expect(events.some((e) => e.level === 'INFO' && /^backup command begin/.test(e.message))).toBe(true);
      expect(events.every((e) => !e.message.includes(cipherPass))).toBe(true);
      const [stanza] = await client.info();
      expect(stanza?.name).toBe(stack.stanza);
      expect(stanza?.status.code).toBe(0);
      expect(stanza?.cipher).toBe('aes-256-cbc');
      expect(stanza?.backup.map((b) => b.type)).toEqual(['full']);
      label = stanza?.backup[0]?.label as string;
      expect(label).toMatch(/^\d{8}-\d{6}F$/);
    });

    it('annotates the backup', async () => {
      await client.annotate(label, { ticket: 'OPS-1', note: 'nightly drill' });
      const [stanza] = await client.info({ set: label });
      expect(stanza?.backup[0]?.annotation).toEqual({ ticket: 'OPS-1', note: 'nightly drill' });
    });

    it('lists and reads repository files through pgBackRest (decrypted)', async () => {
      const listing = await client.repoLs(`backup/${stack.stanza}`);
      expect(listing['backup.info']?.type).toBe('file');
      expect(listing[label]?.type).toBe('path');
      const backupInfo = await client.repoGet(`backup/${stack.stanza}/backup.info`);
      expect(backupInfo).toContain('[backup:current]');
      expect(backupInfo).toContain(label);
      const missing = await client.repoGet(`backup/${stack.stanza}/no-such-file`).catch((e: unknown) => e);
      expect(isPgBackRestError(missing)).toBe(true);
      expect(missing).toBeInstanceOf(PgBackRestFileMissingError);
    });

    it('gets and pushes WAL', async () => {
      await switchWal(stack);
      const [stanza] = await client.info();
      const segment = stanza?.archive[0]?.min as string;
      expect(segment).toMatch(/^[0-9A-F]{24}$/);
      const dir = `/tmp/chronos-wal-${Math.random().toString(36).slice(2)}`;
      ensureSuccess('mkdir', await stack.exec('mkdir', ['-p', dir]));
      expect(await client.archiveGet(segment, `${dir}/${segment}`)).toBe(true);
      expect(await client.archiveGet('0000000100000099000000FF', `${dir}/RECOVERYXLOG`)).toBe(false);
      // The same segment with the same content is accepted again (pgBackRest warns and exits 0).
      const pushed = await client.archivePush(`${dir}/${segment}`);
      expect(pushed.exitCode).toBe(0);
      await stack.exec('rm', ['-rf', dir]);
    });

    it('verifies the repository and reads the verdict', async () => {
      const verdict = await client.verify();
      expect(verdict).toMatchObject({ stanza: stack.stanza, status: 'ok', ok: true });
      expect(verdict.backups.map((b) => [b.label, b.status])).toEqual([[label, 'valid']]);
      expect(verdict.archives.length).toBeGreaterThan(0);
    });

    it('expires and restores into a fresh directory', async () => {
      await client.expire({ 'repo1-retention-full': 1 });
      const target = `/tmp/chronos-restore-${Math.random().toString(36).slice(2)}`;
      ensureSuccess('mkdir', await stack.exec('mkdir', ['-m', '700', '-p', target]));
      await client.restore({
        'pg1-path': target,
        type: 'immediate',
        'target-action': 'promote',
        'archive-mode': 'off',
      });
      ensureSuccess('restored PG_VERSION', await stack.exec('test', ['-s', `${target}/PG_VERSION`]));
      await stack.exec('rm', ['-rf', target]);
    });

    it('kills the whole process tree where it runs when a command times out', async () => {
      const marker = 3000 + Math.floor(Math.random() * 999);
      const hang: PgBackRestCommand = {
        command: 'hang',
        file: 'sh',
        args: ['-c', `sleep ${marker}.5 & exec sleep ${marker}.25`],
        env: {},
        secretEnv: [],
        version: stack.pgBackRestVersion,
      };
      const error = await execute(hang, { transport: transportFor(stack), timeout: 1_500 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgBackRestTimeoutError);
      // `slee[p]` matches the sleeps but not the argv of pgrep or of runuser running it.
      const left = await stack.exec('pgrep', ['-f', `slee[p] ${marker}`]);
      expect(left.exitCode).toBe(1);
    });

    it('stops, starts and finally deletes the stanza', async () => {
      await client.stop();
      await client.start();
      await client.stop();
      await client.stanzaDelete({ force: true });
      const [stanza] = await client.info();
      expect(stanza?.status.code).toBe(1);
    });
  });
}

const nativeSkip = await integrationGate(await probePgBackRest());
exerciseEveryMethod('client on the local pgBackRest (runuser -u postgres)', nativeSkip, (cipherPass) =>
  startNativeStack({ repos: [{ type: 'posix', encrypted: true, cipherPass }] }),
);

const docker = await probeDocker();
const dockerSkip = await integrationGate(docker, docker.available ? await probeImage(IMAGE) : docker);
exerciseEveryMethod(`client through docker exec (${IMAGE})`, dockerSkip, (cipherPass) =>
  startContainerStack({ image: IMAGE, repos: [{ type: 'posix', encrypted: true, cipherPass }] }),
);
