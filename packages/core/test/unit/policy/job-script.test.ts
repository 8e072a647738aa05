import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../../src/exec/process.js';
import { compilePolicy, hostJobScript, type PolicyInput, validatePolicy } from '../../../src/policy/index.js';

const example = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../../examples/chronos-policy.json', import.meta.url)), 'utf8'),
) as PolicyInput;
const SSH_BIN = fileURLToPath(new URL('../../fixtures/bin', import.meta.url));
const SECRET = 'cipher-value-that-must-not-leak-5521';

const work = mkdtempSync(join(tmpdir(), 'chronos-job-script-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fake pgbackrest for the host runtime: records its argv and secret env, fails the repository named by FAIL_REPO. */
const bin = join(work, 'bin');
const fake = `#!/bin/sh
printf '%s|%s\\n' "$*" "\${PGBACKREST_REPO1_CIPHER_PASS:+secret-present}" >> "$CALLS"
case "$*" in *"--repo=$FAIL_REPO "*) echo "P00  ERROR: [056]: unable to find primary cluster - cannot proceed" >&2; exit 56 ;; esac
exit 0
`;
const notifier = `#!/bin/sh
printf '%s\\n' "$@" > "$NOTIFIED"
`;
mkdirSync(bin);
writeFileSync(join(bin, 'pgbackrest'), fake);
writeFileSync(join(bin, 'notify-ops'), notifier);
chmodSync(join(bin, 'pgbackrest'), 0o755);
chmodSync(join(bin, 'notify-ops'), 0o755);

function compileVariant(change: (doc: PolicyInput) => void) {
  const doc = structuredClone(example);
  change(doc);
  return compilePolicy(validatePolicy(doc), { version: '2.45' });
}

/** The command of a crontab entry as cron hands it to sh: the schedule fields cut off, `\%` back to `%`. */
function cronCommand(crontab: string, cron: string): string {
  const line = crontab.split('\n').find((l) => l.startsWith(`${cron} `)) ?? '';
  return line.slice(cron.length + 1).replaceAll('\\%', '%');
}

async function runCron(crontab: string, cron: string, name: string, env: Record<string, string>) {
  const envFile = join(work, `${name}.env`);
  writeFileSync(envFile, `CHRONOS_REPO_CIPHER_PASS=${SECRET}\nCHRONOS_S3_ACCESS_KEY_ID=AKIAEXAMPLE0000\n`);
  const command = cronCommand(crontab, cron).replace('/etc/pgbackrest/chronos.env', envFile);
  return runProcess({
    file: 'sh',
    args: ['-c', command],
    env: { PATH: `${bin}:${process.env['PATH']}`, CALLS: join(work, `${name}.calls`), ...env },
    timeout: 30_000,
  });
}

describe('compiled jobs: log, exit status, notification (run by sh as cron runs them)', () => {
  it('logs one timestamped line per event and exits 0 when every step succeeds', async () => {
    const log = join(work, 'ok.log');
    const compiled = compileVariant((doc) => {
      doc.runtime = 'host';
      doc.jobs = { logFile: log };
    });
    const run = await runCron(compiled.schedules.crontab, '0 2 * * 0', 'ok', {});
    expect(run.exitCode).toBe(0);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /, ''))).toEqual([
      'pgbackrest-chronos-full: started (pgBackRest on this host)',
      'pgbackrest-chronos-full: backup repo1 (full) started',
      'pgbackrest-chronos-full: backup repo1 (full) ok',
      'pgbackrest-chronos-full: backup repo2 (full) started',
      'pgbackrest-chronos-full: backup repo2 (full) ok',
      'pgbackrest-chronos-full: finished ok',
    ]);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ /);
    const calls = readFileSync(join(work, 'ok.calls'), 'utf8');
    expect(calls).toContain('--stanza=chronos --repo=1 --type=full backup|secret-present');
  });

  it('exits with the failure status, logs the error line, still runs the next repository and notifies with the summary', async () => {
    const log = join(work, 'fail.log');
    const notified = join(work, 'notified');
    const compiled = compileVariant((doc) => {
      doc.runtime = 'host';
      doc.jobs = { logFile: log, onFailure: { command: ['notify-ops', '--channel', 'db ops'] } };
    });
    const run = await runCron(compiled.schedules.crontab, '0 2 * * 1-6', 'fail', {
      FAIL_REPO: '1',
      NOTIFIED: notified,
    });
    expect(run.exitCode).toBe(56);
    const log_ = readFileSync(log, 'utf8');
    expect(log_).toMatch(
      /Z pgbackrest-chronos-diff: backup repo1 \(diff\) failed \(exit 56\): P00 {2}ERROR: \[056\]: unable to find primary cluster - cannot proceed\n/,
    );
    expect(log_).toContain('pgbackrest-chronos-diff: backup repo2 (diff) ok');
    expect(log_).toMatch(/pgbackrest-chronos-diff: failed: backup repo1 \(diff\) failed \(exit 56\)/);
    expect(log_).toContain('pgbackrest-chronos-diff: notification sent');
    const args = readFileSync(notified, 'utf8').trimEnd().split('\n');
    expect(args.slice(0, 2)).toEqual(['--channel', 'db ops']);
    expect(args[2]).toMatch(
      /^pgbackrest-chronos-diff on \S+: backup repo1 \(diff\) failed \(exit 56\): .*ERROR: \[056\]/,
    );
    expect(args).toHaveLength(3);
    expect(run.stderr).toContain('ERROR: [056]');
    for (const text of [log_, args.join('\n'), compiled.schedules.crontab]) expect(text).not.toContain(SECRET);
  });

  it('POSTs the summary to the URL named by an environment variable, never writing the URL into the job', async () => {
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        bodies.push(`${request.method} ${request.url} ${request.headers['content-type']} ${body}`);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/token-abc`;
      const log = join(work, 'post.log');
      const compiled = compileVariant((doc) => {
        doc.runtime = 'host';
        doc.jobs = { logFile: log, onFailure: { httpPost: { urlEnv: 'CHRONOS_ALERT_URL' } } };
      });
      const run = await runCron(compiled.schedules.crontab, '0 2 * * 0', 'post', {
        FAIL_REPO: '2',
        CHRONOS_ALERT_URL: url,
      });
      expect(run.exitCode).toBe(56);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatch(
        /^POST \/hook\/token-abc text\/plain pgbackrest-chronos-full on \S+: backup repo2 \(full\) failed \(exit 56\): .*ERROR: \[056\]/,
      );
      expect(readFileSync(log, 'utf8')).toContain('notification sent');
      expect(compiled.schedules.crontab).not.toContain('token-abc');
      expect(bodies[0]).not.toContain(SECRET);
    } finally {
      server.close();
    }
  });

  it('logs that no notification went out when the URL variable is unset', async () => {
    const log = join(work, 'unset.log');
    const compiled = compileVariant((doc) => {
      doc.runtime = 'host';
      doc.jobs = { logFile: log, onFailure: { httpPost: { urlEnv: 'CHRONOS_ALERT_URL' } } };
    });
    const run = await runCron(compiled.schedules.crontab, '0 2 * * 0', 'unset', { FAIL_REPO: '1' });
    expect(run.exitCode).toBe(56);
    expect(readFileSync(log, 'utf8')).toContain('notification not sent: CHRONOS_ALERT_URL is not set');
  });

  it('runs pgBackRest over ssh with the secrets on stdin, never on a command line', async () => {
    const log = join(work, 'ssh.log');
    const sshLog = join(work, 'ssh.remote');
    const policy = validatePolicy({
      ...example,
      runtime: { ssh: { host: 'db1.example', user: 'postgres', port: 2222 } },
    });
    const compiled = compilePolicy(policy, { version: '2.45' });
    const job = compiled.jobs.find((j) => j.kind === 'full');
    if (!job) throw new Error('no full job');
    const script = hostJobScript(job, compiled.secrets, { runtime: policy.runtime, logFile: log });
    expect(script.join('\n')).toContain('ssh -o BatchMode=yes -p 2222 -l postgres -- db1.example');
    const run = await runProcess({
      file: 'sh',
      args: ['-c', script.join('\n')],
      env: {
        PATH: `${bin}:${SSH_BIN}:${process.env['PATH']}`,
        CALLS: join(work, 'ssh.calls'),
        FAKE_SSH_LOG: sshLog,
        CHRONOS_REPO_CIPHER_PASS: SECRET,
        CHRONOS_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE0000',
        CHRONOS_S3_SECRET_ACCESS_KEY: 'secret-key-0000',
      },
      timeout: 30_000,
    });
    expect(run.exitCode).toBe(0);
    expect(readFileSync(join(work, 'ssh.calls'), 'utf8')).toContain('--repo=2 --type=full backup|secret-present');
    expect(readFileSync(sshLog, 'utf8')).toContain('exec pgbackrest --stanza=chronos --repo=2 --type=full backup');
    expect(readFileSync(sshLog, 'utf8')).not.toContain(SECRET);
    expect(readFileSync(log, 'utf8')).toContain('started (pgBackRest on db1.example over ssh)');
  });
});

describe('compiled jobs: the docker runtime', () => {
  it('runs pgBackRest with docker exec, passing secrets by variable name only', () => {
    const compiled = compilePolicy(validatePolicy(example), { version: '2.45' });
    const names =
      '-e PGBACKREST_REPO1_CIPHER_PASS -e PGBACKREST_REPO2_S3_KEY -e PGBACKREST_REPO2_S3_KEY_SECRET -e PGBACKREST_REPO2_CIPHER_PASS';
    expect(compiled.schedules.crontab).toContain(
      `'docker exec -u postgres ${names} chronos-db pgbackrest --stanza=chronos --repo=2 --type=diff backup'`,
    );
    expect(compiled.schedules.crontab).toContain('install for a user allowed to run docker (root)');
    const service = compiled.schedules.systemd.find((u) => u.name === 'pgbackrest-chronos-full.service')?.content;
    expect(service).toContain(`docker exec -u postgres ${names} chronos-db pgbackrest`);
    expect(service).not.toContain('User=postgres');
    expect(service).toContain('EnvironmentFile=/etc/pgbackrest/chronos.env');
    expect(compiled.notes.map((n) => n.code)).toEqual(expect.arrayContaining(['runtime.docker', 'jobs.log-file']));
  });

  it('refuses a runtime that is neither host, docker nor ssh, and names that are not plain', () => {
    expect(() => validatePolicy({ ...example, runtime: { podman: { container: 'x' } } } as never)).toThrow(
      /set runtime to "host", \{ "docker"/,
    );
    expect(() => validatePolicy({ ...example, runtime: { docker: { container: 'db; rm -rf /' } } })).toThrow(
      /plain name/,
    );
    expect(() =>
      validatePolicy({ ...example, jobs: { onFailure: { httpPost: { urlEnv: 'https://hooks.example/x' } } } }),
    ).toThrow(/name the environment variable/);
  });

  it('defaults to the host runtime and a per-stanza log file under /var/log', () => {
    const { runtime, jobs, ...rest } = example;
    const compiled = compilePolicy(validatePolicy(rest as PolicyInput));
    expect(compiled.schedules.crontab).toContain('log_file=/var/log/chronos-chronos.log');
    expect(compiled.schedules.crontab).toContain("step 'backup repo1 (full)' 'pgbackrest --stanza=chronos");
    expect(compiled.schedules.systemd[0]?.content).toContain('User=postgres');
  });
});
