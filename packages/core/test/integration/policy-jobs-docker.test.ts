import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/exec/process.js';
import { compilePolicy, type PolicyInput, validatePolicy } from '../../src/policy/index.js';
import {
  ensureSuccess,
  integrationGate,
  type PgBackRestStack,
  probeDocker,
  probeImage,
  startContainerStack,
} from '../../src/testing/index.js';

const IMAGE = 'chronos-pg:15-2.45';
const docker = await probeDocker();
const skip = await integrationGate(...(docker.available ? [docker, await probeImage(IMAGE)] : [docker]));
const cipherPass = `throwaway-${Math.random().toString(36).slice(2)}`;

/** The command of a crontab entry as cron hands it to sh. */
function cronCommand(crontab: string, cron: string): string {
  const line = crontab.split('\n').find((l) => l.startsWith(`${cron} `)) ?? '';
  return line.slice(cron.length + 1).replaceAll('\\%', '%');
}

describe.skipIf(skip)(skip ?? 'compiled jobs drive pgBackRest inside a container with docker exec', () => {
  let stack: PgBackRestStack;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'chronos-jobs-docker-'));
    stack = await startContainerStack({ image: IMAGE, repos: [{ type: 'posix', encrypted: true }], cipherPass });
    ensureSuccess('stanza-create', await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']));
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function compiled(logFile: string) {
    const container = stack.transport.kind === 'container' ? stack.transport.containerName : '';
    const doc: PolicyInput = {
      version: 1,
      stanza: stack.stanza,
      database: { path: stack.pg.dataPath, port: stack.pg.port },
      repositories: [
        {
          name: 'local',
          type: 'posix',
          path: stack.repoPaths[0] ?? '/',
          offsite: false,
          retention: { full: { count: 2 } },
        },
      ],
      schedule: {
        full: { cron: '0 7 * * 0', timeZone: 'UTC' },
        diff: { cron: '0 7 * * 1-6', timeZone: 'UTC' },
      },
      encryption: { cipher: 'aes-256-cbc', passphrase: { env: 'CHRONOS_TEST_CIPHER' } },
      archiving: { mode: 'continuous', async: false },
      runtime: { docker: { container, user: 'postgres' } },
      jobs: { logFile },
    };
    return compilePolicy(validatePolicy(doc), { version: '2.45', configPath: stack.configPath });
  }

  async function runJob(cron: string, name: string, passphrase: string) {
    const log = join(work, `${name}.log`);
    const envFile = join(work, `${name}.env`);
    writeFileSync(envFile, `CHRONOS_TEST_CIPHER=${passphrase}\n`, { mode: 0o600 });
    const policy = compiled(log);
    const command = cronCommand(policy.schedules.crontab, cron).replace(`/etc/pgbackrest/${stack.stanza}.env`, envFile);
    expect(command).toContain('docker exec -u postgres -e PGBACKREST_REPO1_CIPHER_PASS chronos-');
    expect(command).not.toContain(passphrase);
    const run = await runProcess({ file: 'sh', args: ['-c', command], timeout: 240_000 });
    return { run, log: readFileSync(log, 'utf8'), crontab: policy.schedules.crontab };
  }

  it('the full job backs up through docker exec, logs each event and exits 0', async () => {
    const { run, log } = await runJob('0 7 * * 0', 'full', cipherPass);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const events = log
      .trimEnd()
      .split('\n')
      .map((line) => line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, ''));
    expect(events.at(0)).toMatch(/: started \(pgBackRest in container chronos-/);
    expect(events.slice(1)).toEqual([
      `pgbackrest-${stack.stanza}-full: backup repo1 (full) started`,
      `pgbackrest-${stack.stanza}-full: backup repo1 (full) ok`,
      `pgbackrest-${stack.stanza}-full: finished ok`,
    ]);
    const info = ensureSuccess(
      'info',
      await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, '--output=json', 'info']),
    ).stdout;
    expect(info).toContain('"type":"full"');
  }, 300_000);

  it('the host passphrase reaches pgBackRest by name: a wrong one fails the diff job with pgBackRest’s error line', async () => {
    const { run, log } = await runJob('0 7 * * 1-6', 'wrong-pass', 'not-the-passphrase');
    expect(run.exitCode).not.toBe(0);
    expect(log).toMatch(
      new RegExp(
        `pgbackrest-${stack.stanza}-diff: backup repo1 \\(diff\\) failed \\(exit ${run.exitCode}\\): .*ERROR: \\[\\d{3}\\]`,
      ),
    );
    expect(log).toMatch(/: failed: backup repo1 \(diff\) failed/);
    expect(log).not.toContain('not-the-passphrase');
    expect(log).not.toContain(cipherPass);
  }, 300_000);
});
