import { randomBytes } from 'node:crypto';
import { analyzeInfo } from '../analysis/index.js';
import type { OptionMap } from '../commands/build-command.js';
import { buildCommand } from '../commands/build-command.js';
import { errorFromExit } from '../errors/error-from-exit.js';
import { PgBackRestConfigurationError } from '../errors/pgbackrest-error.js';
import { type ProcessResult, runProcess } from '../exec/process.js';
import { parseInfo } from '../info/parse-info.js';
import { planRestore, type RestorePlan } from '../pitr/plan-restore.js';
import type { RestoreTarget } from '../pitr/target.js';
import { shellCommand } from '../policy/shell.js';
import { parseVersion } from '../version/parse-version.js';

/** A mount of the one-off container: a volume name or an absolute host path, at an absolute path inside. */
export interface DockerMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly?: boolean;
}

/** Options of {@link restoreIntoDockerVolume}. */
export interface DockerVolumeRestoreOptions {
  /** The named volume that receives the data directory (created when missing). */
  readonly volume: string;
  /** Image with PostgreSQL and pgBackRest (the database container's image). */
  readonly image: string;
  readonly stanza: string;
  /** Restore target; default the end of the archive (`{ type: 'default' }`). */
  readonly target?: RestoreTarget;
  /** Where the volume is mounted, i.e. the data directory (pg1-path). Default `/var/lib/postgresql/data`. */
  readonly dataPath?: string;
  /** Host path of pgbackrest.conf, mounted read-only at `/etc/pgbackrest/pgbackrest.conf`. */
  readonly configFile?: string;
  /** More mounts, e.g. the posix repository's volume. */
  readonly mounts?: readonly DockerMount[];
  /** Environment for pgBackRest (`PGBACKREST_*` secrets): passed to docker by name (`-e NAME`), never in argv. */
  readonly env?: Readonly<Record<string, string>>;
  /** More restore options, e.g. `{ 'archive-mode': 'off' }` or `{ delta: true }`. */
  readonly options?: OptionMap;
  /** Name of the database container, for the command that starts it again. Default `chronos-db`. */
  readonly container?: string;
  /** User pgBackRest runs as in the one-off container. Default `postgres`. */
  readonly user?: string;
  /** Docker CLI. Default `docker`. */
  readonly docker?: string;
  /** Milliseconds the restore may take. Default 2 hours. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** What {@link restoreIntoDockerVolume} did. */
export interface DockerVolumeRestoreResult {
  readonly plan: RestorePlan;
  readonly pgbackrestVersion: string;
  /** The restore's `docker run` command line (secrets by name only). */
  readonly command: string;
  /** The command that starts the database container on the restored volume. */
  readonly startCommand: string;
  readonly createdVolume: boolean;
  readonly durationSeconds: number;
}

/** A running container uses the volume: restoring under a live PostgreSQL would corrupt it. */
export class DockerVolumeInUseError extends Error {
  override readonly name = 'DockerVolumeInUseError';
  readonly containers: readonly string[];

  constructor(volume: string, containers: readonly string[]) {
    super(
      `volume ${volume} is used by running container(s) ${containers.join(', ')}: stop them first (docker stop ${containers.join(' ')}), then restore`,
    );
    this.containers = containers;
  }
}

/** A docker command around the restore failed (the volume, the image, the one-off container). */
export class DockerRestoreError extends Error {
  override readonly name = 'DockerRestoreError';
}

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DROP_PRIVILEGES =
  'u=$1; d=$2; shift 2; mkdir -p "$d" && chown "$u:" "$d" && chmod 700 "$d" && exec runuser -u "$u" -- "$@"';

function check(what: string, value: string, pattern: RegExp): void {
  if (!pattern.test(value)) {
    throw new PgBackRestConfigurationError(`${what} '${value}' is not a plain name or absolute path`);
  }
}

function startMounts(spec: {
  readonly volume: string;
  readonly dataPath: string;
  readonly configFile?: string;
  readonly mounts?: readonly DockerMount[];
}): string[] {
  return [
    { source: spec.volume, target: spec.dataPath },
    ...(spec.configFile === undefined
      ? []
      : [{ source: spec.configFile, target: '/etc/pgbackrest/pgbackrest.conf', readOnly: true }]),
    ...(spec.mounts ?? []),
  ].flatMap((m) => ['-v', `${m.source}:${m.target}${'readOnly' in m && m.readOnly ? ':ro' : ''}`]);
}

/**
 * The `docker run` argv of a one-off container that runs `argv` as `user` with the volume at `dataPath` (made owned
 * by that user first). Pure.
 *
 * @example
 * oneOffContainerArgs({ name: 'chronos-restore-1a2b', image: 'chronos-pg:15', volume: 'timescale-data', dataPath: '/var/lib/postgresql/data', user: 'postgres', envNames: ['PGBACKREST_REPO1_CIPHER_PASS'] }, ['pgbackrest', 'version']);
 */
export function oneOffContainerArgs(
  spec: {
    readonly name: string;
    readonly image: string;
    readonly volume: string;
    readonly dataPath: string;
    readonly user: string;
    readonly configFile?: string;
    readonly mounts?: readonly DockerMount[];
    readonly envNames?: readonly string[];
  },
  argv: readonly string[],
): string[] {
  const mounts: DockerMount[] = [
    { source: spec.volume, target: spec.dataPath },
    ...(spec.configFile === undefined
      ? []
      : [{ source: spec.configFile, target: '/etc/pgbackrest/pgbackrest.conf', readOnly: true }]),
    ...(spec.mounts ?? []),
  ];
  for (const mount of mounts) {
    check('mount source', mount.source, /^[A-Za-z0-9/][A-Za-z0-9_.:/@-]*$/);
    check('mount target', mount.target, /^\/[A-Za-z0-9_.:/@-]*$/);
  }
  for (const name of spec.envNames ?? []) check('environment variable', name, ENV_NAME);
  return [
    'run',
    '--name',
    spec.name,
    '--network',
    'host',
    '-u',
    'root',
    ...mounts.flatMap((m) => ['-v', `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`]),
    ...(spec.envNames ?? []).flatMap((name) => ['-e', name]),
    '--entrypoint',
    'sh',
    spec.image,
    '-c',
    DROP_PRIVILEGES,
    'sh',
    spec.user,
    spec.dataPath,
    ...argv,
  ];
}

/**
 * Restores a stanza into a named Docker volume the way the runbook does, without the database container: refuses
 * when a running container uses the volume, creates the volume when missing, reads `info` and plans the target in a
 * one-off container of the database's image (so a target outside the recovery window is refused before anything is
 * written), runs `pgbackrest restore` in another one-off container with the volume mounted, and returns the command
 * that starts the database container on it. Every one-off container is removed on every path (success, failure,
 * timeout, abort).
 *
 * @throws DockerVolumeInUseError, DockerRestoreError, RestoreTargetError, RecoveryWindowError, or pgBackRest's typed
 *   error when the restore fails.
 * @example
 * const result = await restoreIntoDockerVolume({
 *   volume: 'timescale-data',
 *   image: 'chronos-pg:15-2.45',
 *   stanza: 'chronos',
 *   target: { type: 'time', time: '2026-02-01 12:00:00 America/Toronto', targetAction: 'promote' },
 *   configFile: '/etc/chronos/pgbackrest.conf',
 *   mounts: [{ source: 'pgbackrest-repo', target: '/var/lib/pgbackrest' }],
 *   env: { PGBACKREST_REPO1_CIPHER_PASS: process.env.CHRONOS_REPO_CIPHER_PASS ?? '' },
 * });
 * console.log(result.startCommand);
 */
export async function restoreIntoDockerVolume(options: DockerVolumeRestoreOptions): Promise<DockerVolumeRestoreResult> {
  const docker = options.docker ?? 'docker';
  const dataPath = options.dataPath ?? '/var/lib/postgresql/data';
  const user = options.user ?? 'postgres';
  const container = options.container ?? 'chronos-db';
  check('volume', options.volume, PLAIN);
  check('image', options.image, PLAIN);
  check('container', container, PLAIN);
  const env = options.env ?? {};
  const envNames = Object.keys(env);
  const signal = options.signal;
  const run = (args: readonly string[], timeout = 120_000): Promise<ProcessResult> =>
    runProcess({ file: docker, args, env, timeout, ...(signal === undefined ? {} : { signal }) });
  const fail = (what: string, result: ProcessResult) =>
    new DockerRestoreError(
      `${what} failed: ${(result.stderr.trim() || result.failedToSpawn?.message || `exit ${result.exitCode}`).split('\n').slice(-3).join(' ')}`,
    );

  const users = await run(['ps', '--filter', `volume=${options.volume}`, '--format', '{{.Names}}']);
  if (users.exitCode !== 0) throw fail('docker ps', users);
  const running = users.stdout.split('\n').filter((line) => line.trim() !== '');
  if (running.length > 0) throw new DockerVolumeInUseError(options.volume, running);

  let createdVolume = false;
  if ((await run(['volume', 'inspect', options.volume])).exitCode !== 0) {
    const created = await run(['volume', 'create', options.volume]);
    if (created.exitCode !== 0) throw fail('docker volume create', created);
    createdVolume = true;
  }

  const spec = {
    image: options.image,
    volume: options.volume,
    dataPath,
    user,
    envNames,
    ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
    ...(options.mounts === undefined ? {} : { mounts: options.mounts }),
  };
  const oneOff = async (
    argv: readonly string[],
    timeout?: number,
  ): Promise<{ args: string[]; result: ProcessResult }> => {
    const name = `chronos-restore-${randomBytes(6).toString('hex')}`;
    const args = oneOffContainerArgs({ ...spec, name }, argv);
    try {
      return { args, result: await run(args, timeout) };
    } finally {
      await runProcess({ file: docker, args: ['rm', '-f', name], timeout: 60_000 });
    }
  };

  const versionRun = await oneOff(['pgbackrest', 'version']);
  if (versionRun.result.exitCode !== 0) throw fail(`pgbackrest version in image ${options.image}`, versionRun.result);
  const version = parseVersion(versionRun.result.stdout).version;

  const infoCommand = buildCommand('info', { stanza: options.stanza, output: 'json' }, { version });
  const infoRun = await oneOff([infoCommand.file, ...infoCommand.args]);
  if (infoRun.result.exitCode !== 0) {
    throw errorFromExit({
      exitCode: infoRun.result.exitCode ?? -1,
      stderr: infoRun.result.stderr,
      stdout: infoRun.result.stdout,
    });
  }
  const stanza = analyzeInfo(parseInfo(infoRun.result.stdout), { now: new Date() }).stanzas.find(
    (s) => s.name === options.stanza,
  );
  if (stanza === undefined) throw new DockerRestoreError(`pgBackRest reports no stanza ${options.stanza}`);
  const plan = planRestore(options.target ?? { type: 'default' }, stanza);

  const restore = buildCommand(
    'restore',
    { stanza: options.stanza, 'pg1-path': dataPath, ...plan.options, ...options.options },
    { version },
  );
  const started = Date.now();
  const restoreRun = await oneOff([restore.file, ...restore.args], options.timeout ?? 2 * 60 * 60 * 1000);
  if (restoreRun.result.exitCode !== 0) {
    if (restoreRun.result.timedOut || restoreRun.result.isCanceled) {
      throw new DockerRestoreError(
        `restore ${restoreRun.result.timedOut ? 'timed out' : 'was cancelled'}; its container was removed`,
      );
    }
    throw errorFromExit({
      exitCode: restoreRun.result.exitCode ?? -1,
      stderr: restoreRun.result.stderr,
      stdout: restoreRun.result.stdout,
    });
  }
  const mounted = await run(['container', 'inspect', '-f', '{{range .Mounts}}{{.Name}} {{end}}', container]);
  const startCommand =
    mounted.exitCode === 0 && mounted.stdout.split(/\s+/).includes(options.volume)
      ? shellCommand([docker, 'start', container])
      : shellCommand([
          docker,
          'run',
          '-d',
          '--name',
          container,
          '--network',
          'host',
          ...startMounts(spec),
          ...envNames.flatMap((name) => ['-e', name]),
          options.image,
        ]);
  return {
    plan,
    pgbackrestVersion: version,
    command: shellCommand([docker, ...restoreRun.args]),
    startCommand,
    createdVolume,
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
