import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  compilePolicy,
  isPolicyValidationError,
  maxRunsInWindow,
  type PolicyInput,
  validatePolicy,
} from '../../../src/policy/index.js';

const exampleText = readFileSync(
  fileURLToPath(new URL('../../../../../examples/chronos-policy.json', import.meta.url)),
  'utf8',
);
const example = JSON.parse(exampleText) as PolicyInput;
const reference = compilePolicy(validatePolicy(example));

// biome-ignore lint/suspicious/noExplicitAny: assertions walk a parsed YAML manifest
type Manifest = Record<string, any>;

function variant(change: (doc: PolicyInput) => PolicyInput): PolicyInput {
  return change(structuredClone(example));
}

function optionLines(config: string, section: string): string[] {
  const lines = config.split('\n');
  const start = lines.indexOf(`[${section}]`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('['));
  return (end === -1 ? rest : rest.slice(0, end)).filter((line) => line !== '' && !line.startsWith('#'));
}

describe('compilePolicy: pgbackrest.conf', () => {
  it('renders global and stanza sections for the reference deployment', () => {
    const global = optionLines(reference.config, 'global');
    expect(global).toEqual(
      expect.arrayContaining([
        'compress-type=gz',
        'start-fast=y',
        'archive-async=y',
        'archive-push-queue-max=4294967296',
        'repo1-type=posix',
        'repo1-path=/var/lib/pgbackrest',
        'repo1-retention-full-type=time',
        'repo1-retention-full=7',
        'repo1-retention-diff=7',
        'repo1-cipher-type=aes-256-cbc',
        'repo2-type=s3',
        'repo2-s3-bucket=project-chronos-backups',
        'repo2-s3-region=ca-central-1',
        'repo2-s3-endpoint=s3.ca-central-1.amazonaws.com',
        'repo2-cipher-type=aes-256-cbc',
      ]),
    );
    expect(optionLines(reference.config, 'chronos')).toEqual(['pg1-path=/var/lib/postgresql/15/main', 'pg1-port=5432']);
  });

  it('keeps secrets out of the file and says where pgBackRest gets them', () => {
    expect(reference.config).not.toMatch(/^[^#]*(cipher-pass|s3-key|s3-key-secret)=/m);
    expect(reference.secrets.map((s) => [s.option, s.env, s.source])).toEqual([
      ['repo1-cipher-pass', 'PGBACKREST_REPO1_CIPHER_PASS', { env: 'CHRONOS_REPO_CIPHER_PASS' }],
      ['repo2-s3-key', 'PGBACKREST_REPO2_S3_KEY', { env: 'CHRONOS_S3_ACCESS_KEY_ID' }],
      ['repo2-s3-key-secret', 'PGBACKREST_REPO2_S3_KEY_SECRET', { env: 'CHRONOS_S3_SECRET_ACCESS_KEY' }],
      ['repo2-cipher-pass', 'PGBACKREST_REPO2_CIPHER_PASS', { env: 'CHRONOS_REPO_CIPHER_PASS' }],
    ]);
    expect(reference.config).toContain(
      '#   PGBACKREST_REPO2_S3_KEY_SECRET  from environment variable CHRONOS_S3_SECRET_ACCESS_KEY',
    );
  });

  it('explains every approximation of retention in notes', () => {
    const codes = reference.notes.map((note) => `${note.code}@${note.path ?? ''}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'retention.full-time@repositories[0].retention.full',
        'retention.diff-days-as-count@repositories[0].retention.diff',
        'retention.diff-days-as-count@repositories[1].retention.diff',
      ]),
    );
    const diffNote = reference.notes.find((note) => note.code === 'retention.diff-days-as-count');
    expect(diffNote?.message).toContain('repo1-retention-diff=7');
  });

  it('derives the differential count from the schedule', () => {
    const policy = validatePolicy(
      variant((doc) => {
        doc.schedule.diff = { cron: '0 2,14 * * 1-6', timeZone: 'America/Toronto' };
        doc.repositories[0]!.retention.diff = { days: 3 };
        return doc;
      }),
    );
    expect(maxRunsInWindow([policy.schedule.full, policy.schedule.diff!], 3)).toBe(6);
    const compiled = compilePolicy(policy);
    expect(optionLines(compiled.config, 'global')).toContain('repo1-retention-diff=6');
    expect(optionLines(compiled.config, 'global')).toContain('repo2-retention-diff=13');
  });

  it('maps counts, archive retention, compression level and WAL push parallelism directly', () => {
    const compiled = compilePolicy(
      validatePolicy(
        variant((doc) => {
          doc.repositories[0]!.retention = {
            full: { count: 2 },
            diff: { count: 6 },
            archive: { type: 'diff', count: 3 },
          };
          doc.compression = { type: 'zst', level: 3 };
          doc.archiving.processMax = 4;
          return doc;
        }),
      ),
    );
    expect(optionLines(compiled.config, 'global')).toEqual(
      expect.arrayContaining([
        'compress-type=zst',
        'compress-level=3',
        'repo1-retention-full-type=count',
        'repo1-retention-full=2',
        'repo1-retention-diff=6',
        'repo1-retention-archive-type=diff',
        'repo1-retention-archive=3',
      ]),
    );
    expect(optionLines(compiled.config, 'global:archive-push')).toEqual(['process-max=4']);
    expect(compiled.notes.map((n) => n.code)).not.toContain('compression.default');
  });

  it('uses the measured compression default and says so when the policy sets none', () => {
    const compiled = compilePolicy(validatePolicy(variant(({ compression: _, ...doc }) => doc)));
    expect(optionLines(compiled.config, 'global')).toContain('compress-type=gz');
    expect(compiled.notes.map((n) => n.code)).toContain('compression.default');
  });

  it('checks emitted options against the catalogue of the target pgBackRest', () => {
    const sftp = variant((doc) => {
      doc.repositories.push({
        name: 'vault',
        type: 'sftp',
        host: 'backup.example.internal',
        user: 'pgbackrest',
        path: '/srv/pgbackrest',
        privateKeyFile: '/var/lib/postgresql/.ssh/id_ed25519',
        offsite: true,
        retention: { full: { count: 2 } },
      });
      return doc;
    });
    const policy = validatePolicy(sftp);
    let error: unknown;
    try {
      compilePolicy(policy, { version: '2.45' });
    } catch (caught) {
      error = caught;
    }
    expect(isPolicyValidationError(error)).toBe(true);
    expect((error as Error).message).toContain('pgBackRest 2.45 has no option repo3-sftp-host');
    const newer = compilePolicy(policy, { version: '2.59.1' });
    expect(optionLines(newer.config, 'global')).toContain('repo3-sftp-host=backup.example.internal');
  });
});

describe('compilePolicy: cloud repositories', () => {
  it('renders GCS and Azure repositories with their secrets by reference', () => {
    const policy = validatePolicy(
      variant((doc) => {
        doc.repositories = [
          {
            name: 'gcs',
            type: 'gcs',
            bucket: 'chronos-gcs',
            offsite: true,
            credentials: { type: 'service', keyFile: '/etc/pgbackrest/gcs.json' },
            retention: { full: { count: 2 } },
          },
          {
            name: 'azure',
            type: 'azure',
            account: 'chronosbackups',
            container: 'pgbackrest',
            offsite: true,
            key: { file: '/etc/pgbackrest/azure.key' },
            retention: { full: { count: 2 } },
          },
        ];
        doc.restoreDrill!.repository = 'gcs';
        return doc;
      }),
    );
    const compiled = compilePolicy(policy, { version: '2.59.1' });
    expect(optionLines(compiled.config, 'global')).toEqual(
      expect.arrayContaining([
        'repo1-type=gcs',
        'repo1-gcs-bucket=chronos-gcs',
        'repo1-gcs-key-type=service',
        'repo1-gcs-key=/etc/pgbackrest/gcs.json',
        'repo2-type=azure',
        'repo2-azure-account=chronosbackups',
        'repo2-azure-container=pgbackrest',
        'repo2-azure-key-type=shared',
      ]),
    );
    expect(compiled.secrets.map((s) => [s.option, s.source])).toEqual([
      ['repo1-cipher-pass', { env: 'CHRONOS_REPO_CIPHER_PASS' }],
      ['repo2-azure-key', { file: '/etc/pgbackrest/azure.key' }],
      ['repo2-cipher-pass', { env: 'CHRONOS_REPO_CIPHER_PASS' }],
    ]);
    expect(compiled.config).not.toMatch(/^repo2-azure-key=/m);
  });
});

describe('compilePolicy: schedules', () => {
  it('writes a crontab with CRON_TZ before each entry', () => {
    const lines = reference.schedules.crontab.split('\n');
    const full = lines.findIndex((line) => line.startsWith('0 2 * * 0 '));
    const diff = lines.findIndex((line) => line.startsWith('0 2 * * 1-6 '));
    expect(lines[full - 1]).toBe('CRON_TZ=America/Toronto');
    expect(lines[diff - 1]).toBe('CRON_TZ=America/Toronto');
    expect(lines[full]).toContain(
      "step 'backup repo1 (full)' 'docker exec -u postgres -e PGBACKREST_REPO1_CIPHER_PASS -e PGBACKREST_REPO2_S3_KEY -e PGBACKREST_REPO2_S3_KEY_SECRET -e PGBACKREST_REPO2_CIPHER_PASS chronos-db pgbackrest --stanza=chronos --repo=1 --type=full backup'",
    );
    expect(lines[full]).toContain("step 'backup repo2 (full)' 'docker exec -u postgres");
    expect(lines[full]).toContain('log_file=/var/log/chronos-backup-cron.log');
    expect(lines[full]).toContain('. /etc/pgbackrest/chronos.env');
    expect(lines[full]).toContain('export PGBACKREST_REPO1_CIPHER_PASS="$CHRONOS_REPO_CIPHER_PASS"');
  });

  it('writes systemd timers with the time zone in OnCalendar and escaped services', () => {
    const units = Object.fromEntries(reference.schedules.systemd.map((unit) => [unit.name, unit.content]));
    expect(Object.keys(units)).toEqual([
      'pgbackrest-chronos-full.service',
      'pgbackrest-chronos-full.timer',
      'pgbackrest-chronos-diff.service',
      'pgbackrest-chronos-diff.timer',
      'pgbackrest-chronos-restore-drill.service',
      'pgbackrest-chronos-restore-drill.timer',
    ]);
    expect(units['pgbackrest-chronos-full.timer']).toContain('OnCalendar=Sun *-*-* 02:00:00 America/Toronto\n');
    expect(units['pgbackrest-chronos-diff.timer']).toContain('OnCalendar=Mon..Sat *-*-* 02:00:00 America/Toronto\n');
    expect(units['pgbackrest-chronos-restore-drill.timer']).toContain('OnCalendar=*-*-01 06:00:00 America/Toronto\n');
    const service = units['pgbackrest-chronos-full.service'] ?? '';
    expect(service).toContain('EnvironmentFile=/etc/pgbackrest/chronos.env');
    expect(service).toContain('\\"$$CHRONOS_REPO_CIPHER_PASS\\"');
    expect(service).not.toMatch(/[^$]\$[A-Za-z?]/);
  });

  it('writes Kubernetes CronJobs with spec.timeZone and secrets from a Secret', () => {
    const [full] = reference.schedules.kubernetes;
    const manifest = parseYaml(full?.manifest ?? '') as Manifest;
    expect(manifest['kind']).toBe('CronJob');
    expect(manifest['spec']['schedule']).toBe('0 2 * * 0');
    expect(manifest['spec']['timeZone']).toBe('America/Toronto');
    const container = manifest['spec']['jobTemplate']['spec']['template']['spec']['containers'][0];
    expect(container['envFrom']).toEqual([{ secretRef: { name: 'pgbackrest-chronos-secrets' } }]);
    expect(container['command'][2]).toContain('pgbackrest --stanza=chronos --repo=2 --type=full backup');
  });

  it('mounts the policy file the Kubernetes drill CronJob passes to chronos drill --policy, from a ConfigMap', () => {
    const podOf = (compiled: ReturnType<typeof compilePolicy>, kind: string) => {
      const job = compiled.schedules.kubernetes.find((j) => j.name.endsWith(kind))!;
      return (parseYaml(job.manifest) as Manifest)['spec']['jobTemplate']['spec']['template']['spec'];
    };
    const pod = podOf(reference, '-restore-drill');
    const command = pod['containers'][0]['command'][2] as string;
    const policyArg = /--policy=(\S+)/.exec(command)?.[1];
    expect(policyArg).toBe('/etc/chronos/chronos.policy.json');
    const mount = pod['containers'][0]['volumeMounts'].find((m: { mountPath: string }) => m.mountPath === policyArg);
    expect(mount).toEqual({ name: 'policy', mountPath: policyArg, subPath: 'policy.json', readOnly: true });
    expect(pod['volumes']).toContainEqual({ name: 'policy', configMap: { name: 'pgbackrest-chronos-policy' } });
    expect(reference.notes.find((n) => n.code === 'drill.kubernetes-policy')?.message).toContain(
      'kubectl create configmap pgbackrest-chronos-policy --from-file=policy.json=',
    );
    // The path and the ConfigMap follow the compile options; backup jobs mount no policy.
    const custom = compilePolicy(validatePolicy(example), {
      policyPath: '/srv/chronos/policy.json',
      kubernetes: { policyConfigMapName: 'drill-policy' },
    });
    const customPod = podOf(custom, '-restore-drill');
    expect(customPod['containers'][0]['command'][2]).toContain('--policy=/srv/chronos/policy.json');
    expect(customPod['containers'][0]['volumeMounts']).toContainEqual({
      name: 'policy',
      mountPath: '/srv/chronos/policy.json',
      subPath: 'policy.json',
      readOnly: true,
    });
    expect(customPod['volumes']).toContainEqual({ name: 'policy', configMap: { name: 'drill-policy' } });
    const fullPod = podOf(reference, '-full');
    expect(fullPod['volumes'].map((v: { name: string }) => v.name)).not.toContain('policy');
  });

  it('reads file-referenced secrets from the file in every scheduler', () => {
    const compiled = compilePolicy(
      validatePolicy(
        variant((doc) => {
          doc.encryption.passphrase = { file: '/etc/pgbackrest/cipher pass' };
          delete doc.jobs;
          doc.repositories[1] = {
            ...doc.repositories[1]!,
            credentials: { type: 'auto' },
          } as PolicyInput['repositories'][number];
          return doc;
        }),
      ),
      { kubernetes: { image: 'registry.local/pgbackrest:2.45' } },
    );
    expect(compiled.schedules.crontab).toContain(
      `export PGBACKREST_REPO1_CIPHER_PASS="$(cat '/etc/pgbackrest/cipher pass')"`,
    );
    expect(compiled.schedules.crontab).not.toContain('.env');
    const manifest = parseYaml(compiled.schedules.kubernetes[0]?.manifest ?? '') as Manifest;
    const pod = manifest['spec']['jobTemplate']['spec']['template']['spec'];
    expect(pod['containers'][0]['image']).toBe('registry.local/pgbackrest:2.45');
    expect(pod['containers'][0]['volumeMounts']).toContainEqual({
      name: 'secret-files',
      mountPath: '/etc/pgbackrest/cipher pass',
      subPath: 'etc-pgbackrest-cipher-pass',
      readOnly: true,
    });
    expect(pod['containers'][0]['envFrom']).toBeUndefined();
  });

  it('schedules `chronos drill` with the policy, not a bare pgbackrest restore', () => {
    const drill = reference.jobs.find((job) => job.kind === 'restore-drill');
    expect(reference.notes.find((n) => n.code === 'drill.runs-chronos')?.message).toContain(
      '/var/lib/postgresql/drill',
    );
    const command = drill?.script.find((line) => line.includes(' drill '));
    expect(command).toMatch(
      /^chronos --stanza=chronos .*drill --policy=\/etc\/chronos\/chronos\.policy\.json --image=chronos-db-image \|\| rc=\$\?$/,
    );
    expect(drill?.script.some((line) => line.startsWith('pgbackrest '))).toBe(false);
    const compiled = compilePolicy(validatePolicy(example), {
      version: '2.45',
      policyPath: '/srv/chronos/policy.json',
    });
    expect(compiled.jobs.find((job) => job.kind === 'restore-drill')?.script.join('\n')).toContain(
      '--policy=/srv/chronos/policy.json',
    );
  });

  it('notes the DST gap of a 02:00 Sunday schedule in Toronto, and overlapping backups', () => {
    expect(reference.notes.filter((n) => n.code === 'schedule.dst-gap').map((n) => n.path)).toEqual(['schedule.full']);
    const utc = compilePolicy(
      validatePolicy(
        variant((doc) => {
          doc.schedule.full.timeZone = 'UTC';
          doc.schedule.diff = { cron: '0 2 * * *', timeZone: 'UTC' };
          doc.restoreDrill!.timeZone = 'UTC';
          return doc;
        }),
      ),
    );
    expect(utc.notes.map((n) => n.code)).not.toContain('schedule.dst-gap');
    expect(utc.notes.find((n) => n.code === 'schedule.overlap')?.message).toContain('lock error (50)');
  });

  it('lists the dated catch-up runs systemd needs on daylight-saving gap days', () => {
    const compiled = compilePolicy(validatePolicy(example), { from: new Date('2027-01-01T00:00:00Z') });
    const timer = compiled.schedules.systemd.find((u) => u.name === 'pgbackrest-chronos-full.timer')?.content ?? '';
    const dated = timer.split('\n').filter((line) => /^OnCalendar=\d{4}-/.test(line));
    expect(dated).toHaveLength(10);
    expect(dated[0]).toBe('OnCalendar=2027-03-14 03:00:00 America/Toronto');
    expect(dated.at(-1)).toBe('OnCalendar=2036-03-09 03:00:00 America/Toronto');
    const diffTimer = compiled.schedules.systemd.find((u) => u.name === 'pgbackrest-chronos-diff.timer')?.content ?? '';
    expect(diffTimer).not.toMatch(/^OnCalendar=\d{4}-/m);
  });

  it('gives PostgreSQL the archive command', () => {
    expect(reference.postgresql).toEqual({
      archive_mode: 'on',
      archive_command: 'pgbackrest --stanza=chronos archive-push %p',
    });
  });
});

describe('compilePolicy: the restore drill in a container deployment', () => {
  it('runs chronos drill with --image beside the container (the reference policy), or notes that the drill refuses without one', () => {
    const script = reference.jobs.find((job) => job.kind === 'restore-drill')!.script.join('\n');
    expect(script).toContain('--docker=chronos-db --user=postgres drill');
    expect(script).toContain('--image=chronos-db-image');
    expect(reference.notes.find((n) => n.code === 'drill.container-runtime')?.message).toContain('throwaway container');
    const withoutImage = compilePolicy(
      validatePolicy(
        variant((doc) => {
          delete doc.restoreDrill!.image;
          return doc;
        }),
      ),
    );
    const bare = withoutImage.jobs.find((job) => job.kind === 'restore-drill')!.script.join('\n');
    expect(bare).not.toContain('--image');
    expect(withoutImage.notes.find((n) => n.code === 'drill.container-runtime')?.message).toContain(
      'set restoreDrill.image',
    );
  });
});
