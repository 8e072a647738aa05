import { stringify } from 'yaml';
import type { SecretBinding } from './compile-types.js';
import { cronToOnCalendar } from './cron.js';
import { hostJobScript, type JobScriptOptions } from './job-script.js';
import { localTimeWithOffset, policySchedules, type RunKind } from './next-runs.js';
import type { Policy, PolicySchedule } from './schema.js';
import { shellCommand, shellQuote } from './shell.js';

/** Options of the schedule renderers. */
export interface ScheduleRenderOptions {
  readonly stanza: string;
  /** File holding `NAME=value` lines for secrets referenced by environment variable (cron and systemd). */
  readonly environmentFile: string;
  /** pgbackrest.conf path passed with --config when not pgBackRest's default. */
  readonly configPath?: string;
  /** The policy file the restore drill job passes to `chronos drill --policy`. */
  readonly policyPath?: string;
  readonly kubernetes: KubernetesOptions;
  /** Where cron and systemd jobs run pgBackRest, their log file and failure notification. */
  readonly host: JobScriptOptions;
}

/** Settings of the generated Kubernetes CronJobs. */
export interface KubernetesOptions {
  /** Container image with pgBackRest. */
  readonly image: string;
  readonly namespace?: string;
  /** Secret whose keys are the environment variables the policy references. */
  readonly secretName: string;
  /** Secret whose keys hold the contents of the files the policy references. */
  readonly fileSecretName: string;
  /** ConfigMap holding `pgbackrest.conf`. */
  readonly configMapName: string;
  /** ConfigMap holding the policy file under the key `policy.json`, mounted where the restore drill job reads it. */
  readonly policyConfigMapName: string;
}

/** A systemd unit file. */
export interface SystemdUnit {
  readonly name: string;
  readonly content: string;
}

/** A Kubernetes CronJob, as an object and as a YAML manifest. */
export interface KubernetesCronJob {
  readonly name: string;
  readonly object: Record<string, unknown>;
  readonly manifest: string;
}

/** One scheduled job: when it runs and the shell script it runs. */
export interface ScheduledJob {
  readonly kind: RunKind;
  readonly name: string;
  readonly schedule: PolicySchedule;
  readonly description: string;
  /** POSIX shell lines; secrets come from the environment or from files, never from this text. */
  readonly script: readonly string[];
}

/** `chronos drill` with the policy, told where pgBackRest runs (the drill itself runs where the job runs). */
function chronosDrill(options: ScheduleRenderOptions, policy: Policy): string {
  const runtime = policy.runtime;
  const where =
    runtime === 'host'
      ? []
      : 'docker' in runtime
        ? [`--docker=${runtime.docker.container}`, `--user=${runtime.docker.user}`]
        : [`--ssh=${runtime.ssh.host}`, ...(runtime.ssh.user === undefined ? [] : [`--user=${runtime.ssh.user}`])];
  const config = options.configPath ? [`--config=${options.configPath}`] : [];
  return shellCommand([
    'chronos',
    `--stanza=${options.stanza}`,
    ...config,
    ...where,
    'drill',
    `--policy=${options.policyPath ?? defaultPolicyPath(options.stanza)}`,
    ...(runtime !== 'host' && 'docker' in runtime && policy.restoreDrill?.image !== undefined
      ? [`--image=${policy.restoreDrill.image}`]
      : []),
  ]);
}

/**
 * Where the compiled restore drill job reads the policy from when no path is given.
 *
 * @example
 * defaultPolicyPath('main'); // '/etc/chronos/main.policy.json'
 */
export function defaultPolicyPath(stanza: string): string {
  return `/etc/chronos/${stanza}.policy.json`;
}

function pgbackrest(options: ScheduleRenderOptions, args: string[]): string {
  const config = options.configPath ? [`--config=${options.configPath}`] : [];
  return shellCommand(['pgbackrest', ...config, `--stanza=${options.stanza}`, ...args]);
}

function secretExports(secrets: readonly SecretBinding[]): string[] {
  return secrets.flatMap((secret) => {
    if ('env' in secret.source) {
      return secret.source.env === secret.env
        ? [`export ${secret.env}`]
        : [`export ${secret.env}="$${secret.source.env}"`];
    }
    return [`export ${secret.env}="$(cat ${shellQuote(secret.source.file)})"`];
  });
}

/**
 * The jobs a policy schedules: one per backup type (backing up to every repository in turn) and the restore drill.
 *
 * @example
 * scheduledJobs(policy, secrets, options).map((job) => job.name); // ['pgbackrest-main-full', …]
 */
export function scheduledJobs(
  policy: Policy,
  secrets: readonly SecretBinding[],
  options: ScheduleRenderOptions,
): ScheduledJob[] {
  return policySchedules(policy).map(([kind, schedule]) => {
    const name = `pgbackrest-${options.stanza}-${kind}`.toLowerCase().replaceAll(/[^a-z0-9-]/g, '-');
    const script = [...secretExports(secrets), 'rc=0'];
    if (kind === 'restore-drill' && policy.restoreDrill) {
      const drill = policy.restoreDrill;
      script.push(`${chronosDrill(options, policy)} || rc=$?`);
      script.push('exit $rc');
      return {
        kind,
        name,
        schedule,
        description: `chronos restore drill of stanza ${options.stanza} from repository "${drill.repository}" in ${drill.path}`,
        script,
      };
    }
    policy.repositories.forEach((_, index) => {
      script.push(`${pgbackrest(options, [`--repo=${index + 1}`, `--type=${kind}`, 'backup'])} || rc=$?`);
    });
    script.push('exit $rc');
    return { kind, name, schedule, description: `pgBackRest ${kind} backup of stanza ${options.stanza}`, script };
  });
}

function usesEnvSecrets(secrets: readonly SecretBinding[], options?: ScheduleRenderOptions): boolean {
  const onFailure = options?.host.onFailure;
  return secrets.some((secret) => 'env' in secret.source) || (onFailure !== undefined && 'httpPost' in onFailure);
}

function crontabUser(options: ScheduleRenderOptions): string {
  const runtime = options.host.runtime;
  if (runtime === 'host') return 'install for the postgres user: crontab -u postgres FILE';
  if ('docker' in runtime)
    return `pgBackRest runs in container ${runtime.docker.container}: install for a user allowed to run docker (root): crontab FILE`;
  return `pgBackRest runs on ${runtime.ssh.host}: install for the user whose ssh key reaches it: crontab FILE`;
}

/**
 * A crontab for the postgres user (`crontab -u postgres FILE`), each schedule preceded by its `CRON_TZ`.
 *
 * @example
 * renderCrontab(jobs, secrets, options); // 'CRON_TZ=America/Toronto\n0 2 * * 0 …'
 */
export function renderCrontab(
  jobs: readonly ScheduledJob[],
  secrets: readonly SecretBinding[],
  options: ScheduleRenderOptions,
): string {
  const lines = [
    `# pgBackRest schedules for stanza ${options.stanza}; ${crontabUser(options)}`,
    `# Each job appends one line per event to ${options.host.logFile} and exits non-zero on failure.`,
    '# Each CRON_TZ line sets the time zone of the entries below it (cronie and other crons that support CRON_TZ).',
  ];
  if (usesEnvSecrets(secrets, options))
    lines.push(`# Secrets named by environment variable are read from ${options.environmentFile}.`);
  for (const job of jobs) {
    const prelude = usesEnvSecrets(secrets, options)
      ? [`set -a`, `. ${shellQuote(options.environmentFile)}`, 'set +a']
      : [];
    const command = [...prelude, ...hostJobScript(job, secrets, options.host)].join('; ').replaceAll('%', '\\%');
    lines.push('', `# ${job.description}`, `CRON_TZ=${job.schedule.timeZone}`, `${job.schedule.cron} ${command}`);
  }
  return `${lines.join('\n')}\n`;
}

function systemdQuote(script: string): string {
  return `"${script
    .replaceAll('\\', '\\\\')
    .replaceAll('"', '\\"')
    .replaceAll('$', () => '$$')
    .replaceAll('%', '%%')}"`;
}

/**
 * systemd service and timer units per job; each timer's `OnCalendar=` carries the schedule's time zone.
 *
 * @example
 * renderSystemdUnits(jobs, secrets, options).map((unit) => unit.name); // ['pgbackrest-main-full.service', 'pgbackrest-main-full.timer', …]
 */
export function renderSystemdUnits(
  jobs: readonly ScheduledJob[],
  secrets: readonly SecretBinding[],
  options: ScheduleRenderOptions,
  gapRuns: ReadonlyMap<RunKind, readonly Date[]> = new Map(),
): SystemdUnit[] {
  return jobs.flatMap((job) => {
    const catchUp = (gapRuns.get(job.kind) ?? []).map(
      (run) =>
        `OnCalendar=${localTimeWithOffset(run, job.schedule.timeZone).slice(0, 19).replace('T', ' ')} ${job.schedule.timeZone}`,
    );
    const service = [
      '[Unit]',
      `Description=${job.description}`,
      'After=network-online.target postgresql.service',
      'Wants=network-online.target',
      '',
      '[Service]',
      'Type=oneshot',
      ...(options.host.runtime === 'host' ? ['User=postgres', 'Group=postgres'] : []),
      ...(usesEnvSecrets(secrets, options) ? [`EnvironmentFile=${options.environmentFile}`] : []),
      `ExecStart=/bin/sh -c ${systemdQuote(hostJobScript(job, secrets, options.host).join('; '))}`,
    ];
    const timer = [
      '[Unit]',
      `Description=Schedule of ${job.description}`,
      '',
      '[Timer]',
      ...cronToOnCalendar(job.schedule.cron, job.schedule.timeZone).map((spec) => `OnCalendar=${spec}`),
      ...(catchUp.length > 0
        ? ['# The daylight-saving gap skips the time above on these days: run at the first valid time', ...catchUp]
        : []),
      'Persistent=true',
      `Unit=${job.name}.service`,
      '',
      '[Install]',
      'WantedBy=timers.target',
    ];
    return [
      { name: `${job.name}.service`, content: `${service.join('\n')}\n` },
      { name: `${job.name}.timer`, content: `${timer.join('\n')}\n` },
    ];
  });
}

/** The key of the policy file in the ConfigMap the restore drill CronJob mounts. */
export const POLICY_CONFIGMAP_KEY = 'policy.json';

function secretKey(path: string): string {
  return path.replace(/^\//, '').replaceAll(/[^A-Za-z0-9.-]/g, '-');
}

/**
 * Kubernetes CronJobs per job with `spec.timeZone`, secrets from a Secret (env) and mounted files; the restore drill's
 * also mounts the policy file it passes to `chronos drill --policy` from a ConfigMap (key `policy.json`).
 *
 * @example
 * renderKubernetesCronJobs(jobs, secrets, options)[0]?.manifest; // 'apiVersion: batch/v1\nkind: CronJob\n…'
 */
export function renderKubernetesCronJobs(
  jobs: readonly ScheduledJob[],
  secrets: readonly SecretBinding[],
  options: ScheduleRenderOptions,
): KubernetesCronJob[] {
  const k8s = options.kubernetes;
  const fileRefs = [...new Set(secrets.flatMap((s) => ('file' in s.source ? [s.source.file] : [])))];
  const configPath = options.configPath ?? '/etc/pgbackrest/pgbackrest.conf';
  return jobs.map((job) => {
    const container: Record<string, unknown> = {
      name: 'pgbackrest',
      image: k8s.image,
      command: ['/bin/sh', '-c', `${job.script.join('\n')}\n`],
      volumeMounts: [
        { name: 'config', mountPath: configPath, subPath: 'pgbackrest.conf', readOnly: true },
        ...fileRefs.map((file) => ({
          name: 'secret-files',
          mountPath: file,
          subPath: secretKey(file),
          readOnly: true,
        })),
      ],
    };
    if (usesEnvSecrets(secrets)) container['envFrom'] = [{ secretRef: { name: k8s.secretName } }];
    const volumes: Record<string, unknown>[] = [{ name: 'config', configMap: { name: k8s.configMapName } }];
    if (job.kind === 'restore-drill') {
      const mounts = container['volumeMounts'] as Record<string, unknown>[];
      mounts.push({
        name: 'policy',
        mountPath: options.policyPath ?? defaultPolicyPath(options.stanza),
        subPath: POLICY_CONFIGMAP_KEY,
        readOnly: true,
      });
      volumes.push({ name: 'policy', configMap: { name: k8s.policyConfigMapName } });
    }
    if (fileRefs.length > 0) {
      volumes.push({
        name: 'secret-files',
        secret: {
          secretName: k8s.fileSecretName,
          defaultMode: 0o400,
          items: fileRefs.map((f) => ({ key: secretKey(f), path: secretKey(f) })),
        },
      });
    }
    const object = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {
        name: job.name,
        ...(k8s.namespace ? { namespace: k8s.namespace } : {}),
        labels: {
          'app.kubernetes.io/name': 'pgbackrest',
          'app.kubernetes.io/component': job.kind,
          'pgbackrest.org/stanza': options.stanza,
        },
      },
      spec: {
        schedule: job.schedule.cron,
        timeZone: job.schedule.timeZone,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            template: {
              spec: { restartPolicy: 'Never', containers: [container], volumes },
            },
          },
        },
      },
    };
    return { name: job.name, object, manifest: stringify(object, { lineWidth: 0 }) };
  });
}
