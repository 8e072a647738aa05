import { compileConfig } from './compile-config.js';
import {
  defaultPolicyPath,
  type KubernetesCronJob,
  type KubernetesOptions,
  POLICY_CONFIGMAP_KEY,
  renderCrontab,
  renderKubernetesCronJobs,
  renderSystemdUnits,
  type ScheduledJob,
  type ScheduleRenderOptions,
  type SystemdUnit,
  scheduledJobs,
} from './compile-schedules.js';
import type { CompileNote, ConfigGroup, ConfigSections, SecretBinding } from './compile-types.js';
import { DEFAULT_PGBACKREST_VERSION } from './compression-defaults.js';
import { defaultJobLogFile } from './job-script.js';
import { dstGapRuns, localTimeWithOffset, policySchedules, type RunKind, scheduleRuns } from './next-runs.js';
import { POLICY_VERSION, type Policy } from './schema.js';
import { shellQuote } from './shell.js';

/**
 * Years of daylight-saving gaps the systemd timers cover with dated catch-up runs.
 *
 * @example
 * compilePolicy(policy, { from: new Date('2027-01-01') }); // timers list gap days of 2027 through 2036
 */
export const DST_GAP_YEARS = 10;

type GapRuns = ReadonlyMap<RunKind, readonly Date[]>;

/** Options of {@link compilePolicy}. */
export interface CompilePolicyOptions {
  /** Stanza name; default the policy's. */
  readonly stanza?: string;
  /** pgBackRest version to compile for (options are checked against its catalogue); default 2.45. */
  readonly version?: string;
  /** Environment file cron and systemd jobs read secrets named by variable from; default /etc/pgbackrest/<stanza>.env. */
  readonly environmentFile?: string;
  /** pgbackrest.conf location the jobs pass with --config; default pgBackRest's own. */
  readonly configPath?: string;
  /** The policy file's location where the jobs run (`chronos drill --policy`); default /etc/chronos/<stanza>.policy.json. */
  readonly policyPath?: string;
  /**
   * Start of the years whose daylight-saving gaps the systemd timers list as dated catch-up runs (systemd skips a
   * wall-clock time that does not exist); default now. Covers the next 10 years (`DST_GAP_YEARS`).
   */
  readonly from?: Date;
  /** Kubernetes CronJob settings; names default to pgbackrest-<stanza>[-secrets|-secret-files|-policy]. */
  readonly kubernetes?: Partial<KubernetesOptions>;
}

/** The result of {@link compilePolicy}. */
export interface CompiledPolicy {
  readonly stanza: string;
  readonly pgbackrestVersion: string;
  /** Content of pgbackrest.conf (no secret values; see `secrets`). */
  readonly config: string;
  /** pgbackrest.conf as data. */
  readonly sections: ConfigSections;
  /** Secrets pgBackRest needs and where the jobs take them from. */
  readonly secrets: readonly SecretBinding[];
  /** postgresql.conf settings for continuous WAL archiving. */
  readonly postgresql: Readonly<Record<string, string>>;
  readonly jobs: readonly ScheduledJob[];
  readonly schedules: {
    readonly crontab: string;
    readonly systemd: readonly SystemdUnit[];
    readonly kubernetes: readonly KubernetesCronJob[];
  };
  /** Every approximation, assumption and operator step, never silent. */
  readonly notes: readonly CompileNote[];
}

function renderGroups(groups: readonly ConfigGroup[]): string[] {
  return groups.flatMap((group, index) => [
    ...(index > 0 ? [''] : []),
    ...(group.comment ? [`# ${group.comment}`] : []),
    ...group.entries.map(([name, value]) => `${name}=${value}`),
  ]);
}

function describeSource(secret: SecretBinding): string {
  return 'env' in secret.source ? `environment variable ${secret.source.env}` : `file ${secret.source.file}`;
}

/**
 * Renders pgbackrest.conf text from its sections, with a header that says how secrets are supplied.
 *
 * @example
 * renderConfig(sections, 'main', secrets, '2.45');
 */
export function renderConfig(
  sections: ConfigSections,
  stanza: string,
  secrets: readonly SecretBinding[],
  version: string,
): string {
  const header = [
    `# pgbackrest.conf compiled from a backup policy (format version ${POLICY_VERSION}) for stanza "${stanza}", pgBackRest ${version}.`,
  ];
  if (secrets.length > 0) {
    const width = Math.max(...secrets.map((s) => s.env.length));
    header.push(
      '# Secrets are not stored in this file. pgBackRest reads them from its environment:',
      ...secrets.map((s) => `#   ${s.env.padEnd(width)}  from ${describeSource(s)}`),
    );
  }
  const lines = [...header, '', '[global]', ...renderGroups(sections.global)];
  if (sections.archivePush.length > 0) lines.push('', '[global:archive-push]', ...renderGroups(sections.archivePush));
  lines.push('', `[${stanza}]`, ...renderGroups(sections.stanza));
  return `${lines.join('\n')}\n`;
}

function scheduleNotes(policy: Policy, jobs: readonly ScheduledJob[], gapYears: GapRuns): CompileNote[] {
  const notes: CompileNote[] = [];
  const from = new Date(Date.UTC(2030, 0, 1));
  for (const [kind, schedule] of policySchedules(policy)) {
    const gaps = gapYears.get(kind) ?? [];
    const [first] = gaps;
    if (first) {
      const local = localTimeWithOffset(first, schedule.timeZone);
      notes.push({
        code: 'schedule.dst-gap',
        path: kind === 'restore-drill' ? 'restoreDrill' : `schedule.${kind}`,
        message: `${kind}: "${schedule.cron}" names a time that does not exist on the daylight-saving change in ${schedule.timeZone} (e.g. ${local.slice(0, 10)}). cron runs it once at the first valid time after the gap (${local.slice(11)}); systemd timers skip it, so the timer also lists those ${gaps.length} dated runs through ${localTimeWithOffset(gaps.at(-1) ?? first, schedule.timeZone).slice(0, 4)}: recompile before then. Kubernetes follows its own rule.`,
      });
    }
  }
  const backups = policySchedules(policy).filter(([kind]) => kind !== 'restore-drill');
  const seen = new Map<number, string>();
  for (const [kind, schedule] of backups) {
    for (const run of scheduleRuns(schedule, from, 60)) {
      const other = seen.get(run.getTime());
      if (other && other !== kind) {
        notes.push({
          code: 'schedule.overlap',
          path: `schedule.${kind}`,
          message: `${other} and ${kind} backups are both scheduled at ${run.toISOString()}: pgBackRest allows one backup of a stanza at a time, so one of them fails with a lock error (50). Make the schedules exclusive.`,
        });
        break;
      }
      seen.set(run.getTime(), kind);
    }
  }
  if (jobs.length > 0) {
    notes.push(
      {
        code: 'schedule.cron-tz',
        message:
          'The crontab uses CRON_TZ (cronie, busybox crond and others); a cron without CRON_TZ support runs the entries in the host time zone: use the systemd timers there.',
      },
      {
        code: 'schedule.systemd-tz',
        message:
          'The systemd timers put the IANA time zone in OnCalendar=; check an expression with `systemd-analyze calendar "<expression>"` on the target host.',
      },
      {
        code: 'schedule.kubernetes',
        message:
          'The Kubernetes CronJobs use spec.timeZone (Kubernetes 1.27+). They run pgBackRest in their own pod: the database must be reachable from it (e.g. pg1-host with a pgBackRest server), which the policy does not model.',
      },
    );
  }
  return notes;
}

function runtimeNotes(policy: Policy, options: ScheduleRenderOptions): CompileNote[] {
  const notes: CompileNote[] = [
    {
      code: 'jobs.log-file',
      path: 'jobs.logFile',
      message: `The cron and systemd jobs append one line per event to ${options.host.logFile} on the scheduler's host: create it writable by the user the jobs run as (e.g. install -m 640 /dev/null ${options.host.logFile}).`,
    },
  ];
  const runtime = policy.runtime;
  if (runtime !== 'host' && 'docker' in runtime) {
    notes.push({
      code: 'runtime.docker',
      path: 'runtime.docker',
      message: `The jobs run pgBackRest with docker exec -u ${runtime.docker.user} in container ${runtime.docker.container}, passing secrets by variable name (-e NAME). archive-push runs inside the container from archive_command: give the container the PGBACKREST_* secrets itself (docker run --env-file), and put pgbackrest.conf in it.`,
    });
  } else if (runtime !== 'host') {
    notes.push({
      code: 'runtime.ssh',
      path: 'runtime.ssh',
      message: `The jobs run pgBackRest on ${runtime.ssh.host} with ssh -o BatchMode=yes (key-based); secrets travel as NAME=value lines on ssh's stdin, never on a command line. The remote login shell must be POSIX.`,
    });
  }
  return notes;
}

/**
 * Compiles a validated policy into pgbackrest.conf content, secret bindings, postgresql.conf archiving settings and
 * schedules (crontab with CRON_TZ, systemd timers with time-zoned OnCalendar, Kubernetes CronJobs with timeZone).
 * Where pgBackRest cannot express the policy exactly, the nearest faithful setting is chosen and explained in `notes`.
 *
 * @throws PolicyValidationError when the target pgBackRest version lacks an option the policy needs.
 * @example
 * const compiled = compilePolicy(parsePolicy(text), { version: '2.45' });
 * await writeFile('/etc/pgbackrest/pgbackrest.conf', compiled.config);
 * for (const note of compiled.notes) console.log(note.message);
 */
export function compilePolicy(policy: Policy, options: CompilePolicyOptions = {}): CompiledPolicy {
  const stanza = options.stanza ?? policy.stanza;
  const version = options.version ?? DEFAULT_PGBACKREST_VERSION;
  const { secrets, notes, ...sections } = compileConfig(policy, version);
  const renderOptions: ScheduleRenderOptions = {
    stanza,
    environmentFile: options.environmentFile ?? `/etc/pgbackrest/${stanza}.env`,
    ...(options.configPath ? { configPath: options.configPath } : {}),
    ...(options.policyPath ? { policyPath: options.policyPath } : {}),
    kubernetes: {
      image: options.kubernetes?.image ?? 'pgbackrest',
      secretName: options.kubernetes?.secretName ?? `pgbackrest-${stanza}-secrets`,
      fileSecretName: options.kubernetes?.fileSecretName ?? `pgbackrest-${stanza}-secret-files`,
      configMapName: options.kubernetes?.configMapName ?? `pgbackrest-${stanza}`,
      policyConfigMapName: options.kubernetes?.policyConfigMapName ?? `pgbackrest-${stanza}-policy`,
      ...(options.kubernetes?.namespace ? { namespace: options.kubernetes.namespace } : {}),
    },
    host: {
      runtime: policy.runtime,
      logFile: policy.jobs.logFile ?? defaultJobLogFile(stanza),
      ...(policy.jobs.onFailure ? { onFailure: policy.jobs.onFailure } : {}),
    },
  };
  notes.push(...runtimeNotes(policy, renderOptions));
  if (!options.kubernetes?.image) {
    notes.push({
      code: 'schedule.kubernetes-image',
      message: 'No container image given for the Kubernetes CronJobs: they use "pgbackrest"; pass kubernetes.image.',
    });
  }
  const jobs = scheduledJobs(policy, secrets, renderOptions);
  const from = options.from ?? new Date();
  const until = new Date(Date.UTC(from.getUTCFullYear() + DST_GAP_YEARS, 0, 1));
  const gapRuns: GapRuns = new Map(
    policySchedules(policy).map(([kind, schedule]) => [kind, dstGapRuns(schedule, from, until)]),
  );
  const config = ['--stanza=' + stanza, ...(options.configPath ? [`--config=${options.configPath}`] : [])];
  const postgresql = {
    archive_mode: 'on',
    archive_command: `pgbackrest ${config.map(shellQuote).join(' ')} archive-push %p`,
  };
  if (policy.restoreDrill) {
    const drill = policy.restoreDrill;
    notes.push({
      code: 'drill.runs-chronos',
      path: 'restoreDrill',
      message: `The restore drill job runs \`chronos drill\` with the policy (at ${renderOptions.policyPath ?? defaultPolicyPath(stanza)} where the job runs; chronos and the PostgreSQL binaries must be installed there): it restores from repository "${drill.repository}" into ${drill.path} (empty or a previous drill's, never the data directory) with --archive-mode=off, starts PostgreSQL there on a private Unix socket, waits for recovery, runs ${drill.checks.length} SQL check(s) and pg_amcheck, then stops it and removes the directory${drill.metricsFile === undefined ? '' : `; its gauges go to ${drill.metricsFile}`}.`,
    });
    const policyMap = renderOptions.kubernetes.policyConfigMapName;
    notes.push({
      code: 'drill.kubernetes-policy',
      path: 'restoreDrill',
      message: `The Kubernetes restore drill CronJob mounts the policy file at ${renderOptions.policyPath ?? defaultPolicyPath(stanza)} from the ConfigMap ${policyMap} (key ${POLICY_CONFIGMAP_KEY}): create it from this policy file, e.g. kubectl create configmap ${policyMap} --from-file=${POLICY_CONFIGMAP_KEY}=<policy file>.`,
    });
    if (policy.runtime !== 'host' && 'docker' in policy.runtime) {
      notes.push({
        code: 'drill.container-runtime',
        path: 'restoreDrill',
        message:
          drill.image === undefined
            ? `A drill never runs inside the production container (${policy.runtime.docker.container}): set restoreDrill.image to its image so the drill runs in a throwaway container from it; without it the drill job refuses to run.`
            : `The drill runs in a throwaway container from ${drill.image} with a scratch volume (the production pgbackrest.conf, secrets and posix repositories read-only), never inside ${policy.runtime.docker.container}; the job's host needs the docker CLI.`,
      });
    }
  }
  notes.push({
    code: 'archiving.postgresql',
    path: 'archiving',
    message: `Continuous archiving needs postgresql.conf: archive_mode = on and archive_command = '${postgresql.archive_command}' (then restart PostgreSQL and run stanza-create and check).`,
  });
  return {
    stanza,
    pgbackrestVersion: version,
    config: renderConfig(sections, stanza, secrets, version),
    sections,
    secrets,
    postgresql,
    jobs,
    schedules: {
      crontab: renderCrontab(jobs, secrets, renderOptions),
      systemd: renderSystemdUnits(jobs, secrets, renderOptions, gapRuns),
      kubernetes: renderKubernetesCronJobs(jobs, secrets, renderOptions),
    },
    notes: [...notes, ...scheduleNotes(policy, jobs, gapRuns)],
  };
}
