import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { compilePolicy, parsePolicy } from '@chronos/pgbackrest/policy';

// One policy document → pgbackrest.conf, postgresql.conf settings and schedules for cron, systemd and Kubernetes.
const policy = parsePolicy(await readFile('examples/chronos-policy.json', 'utf8'));
const compiled = compilePolicy(policy, { version: '2.45', configPath: '/etc/pgbackrest/pgbackrest.conf' });

await mkdir('out/systemd', { recursive: true });
await writeFile('out/pgbackrest.conf', compiled.config);
await writeFile('out/crontab', compiled.schedules.crontab);
for (const unit of compiled.schedules.systemd) await writeFile(`out/systemd/${unit.name}`, unit.content);
await writeFile('out/cronjobs.yaml', compiled.schedules.kubernetes.map((job) => job.manifest).join('---\n'));

// Secrets are named, never written: the jobs read them from an environment file or a Kubernetes Secret.
for (const secret of compiled.secrets) console.log(`${secret.env} ← ${JSON.stringify(secret.source)}`);
for (const note of compiled.notes) console.log(`note: ${note.message}`);
