import type { PgBackRestCommand } from '../commands/build-command.js';
import { quote } from '../commands/render.js';
import { PgBackRestConfigurationError } from '../errors/pgbackrest-error.js';
import type { ProcessRequest } from './process.js';

/** Run pgBackRest as another local user. */
export interface RunAs {
  readonly user: string;
  /** `runuser` (root only, the default) or `sudo -n` (needs a sudoers rule). */
  readonly via?: 'runuser' | 'sudo';
}

/** Run pgBackRest on this machine, optionally as another user. */
export interface LocalTransport {
  readonly kind: 'local';
  readonly runAs?: RunAs;
}

/** Run pgBackRest inside a running container with `docker exec`. */
export interface DockerTransport {
  readonly kind: 'docker';
  readonly container: string;
  /** User inside the container. Default `postgres`. */
  readonly user?: string;
  /** Docker CLI binary. Default `docker`. */
  readonly docker?: string;
}

/**
 * Run pgBackRest on another host with `ssh` (key-based, non-interactive: `BatchMode=yes`).
 *
 * Secrets never go on the remote command line. With `secrets: 'stdin'` (default) they are written to the ssh
 * session's stdin as `NAME=value` lines and exported by a fixed POSIX `sh` loop before `exec pgbackrest`; the remote
 * login shell must be POSIX-compatible. With `secrets: 'refuse'` any secret is a configuration error: keep secrets in
 * the remote host's pgbackrest.conf instead.
 */
export interface SshTransport {
  readonly kind: 'ssh';
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
  /** Extra `-o Key=Value` options, e.g. `['StrictHostKeyChecking=yes']`. */
  readonly options?: readonly string[];
  /** ssh binary. Default `ssh`. */
  readonly ssh?: string;
  readonly secrets?: 'stdin' | 'refuse';
}

/** Where and how pgBackRest runs. */
export type Transport = LocalTransport | DockerTransport | SshTransport;

/**
 * First stdout line of a docker or ssh run: the process id (and process group id) of pgBackRest over there.
 *
 * `docker exec` starts its process as a session and group leader inside the container, and sshd starts the remote
 * command as one on the remote host; killing the local docker CLI or ssh client stops neither (a remote pgBackRest
 * without a terminal gets no hangup and runs on). The wrappers print that process id first so a timeout or abort
 * can kill the group over there.
 */
export const REMOTE_PID_LINE = /^chronos-exec-pid (\d+)$/;

const DOCKER_PID_WRAPPER = 'echo "chronos-exec-pid $$"; exec "$@"';
const SSH_PID_ECHO = 'echo "chronos-exec-pid $$"';

/** Whether runs through this transport print {@link REMOTE_PID_LINE} first and need their group killed over there. */
export function hasRemoteGroup(transport: Transport | undefined): transport is DockerTransport | SshTransport {
  return transport?.kind === 'docker' || transport?.kind === 'ssh';
}

/** Removes the {@link REMOTE_PID_LINE} from the start of a docker or ssh run's stdout. */
export function withoutPidLine(stdout: string): string {
  return stdout.replace(/^chronos-exec-pid \d+\n/, '');
}

/**
 * The request that kills a process group inside a container (after a timeout or abort of a docker run).
 *
 * @example
 * dockerKillRequest({ kind: 'docker', container: 'pg' }, 42, 'TERM'); // docker exec -u postgres pg kill -TERM -- -42
 */
export function dockerKillRequest(transport: DockerTransport, pid: number, signal: 'TERM' | 'KILL'): ProcessRequest {
  return {
    file: transport.docker ?? 'docker',
    args: ['exec', '-u', transport.user ?? 'postgres', transport.container, 'kill', `-${signal}`, '--', `-${pid}`],
    timeout: 15_000,
  };
}

/**
 * The request that kills a process group on the remote host of an ssh run (after a timeout or abort), over a new
 * connection with the same ssh settings.
 *
 * @example
 * sshKillRequest({ kind: 'ssh', host: 'db1', user: 'postgres' }, 4242, 'TERM');
 * // ssh -o BatchMode=yes -l postgres -- db1 'exec kill -TERM -- -4242'
 */
export function sshKillRequest(transport: SshTransport, pid: number, signal: 'TERM' | 'KILL'): ProcessRequest {
  return { ...sshRequest(transport, `exec kill -${signal} -- -${pid}`), timeout: 15_000 };
}

/** The request that kills a process group over there: in the container, or on the ssh host. */
export function remoteKillRequest(
  transport: DockerTransport | SshTransport,
  pid: number,
  signal: 'TERM' | 'KILL',
): ProcessRequest {
  return transport.kind === 'docker'
    ? dockerKillRequest(transport, pid, signal)
    : sshKillRequest(transport, pid, signal);
}

function sshRequest(transport: SshTransport, remote: string): ProcessRequest {
  checkName('host', transport.host);
  if (transport.user !== undefined) checkName('user', transport.user);
  return {
    file: transport.ssh ?? 'ssh',
    args: [
      '-o',
      'BatchMode=yes',
      ...(transport.options ?? []).flatMap((option) => ['-o', option]),
      ...(transport.port === undefined ? [] : ['-p', String(transport.port)]),
      ...(transport.user === undefined ? [] : ['-l', transport.user]),
      '--',
      transport.host,
      remote,
    ],
  };
}

/** Environment names a privilege-changing wrapper passes on besides `PGBACKREST_*`. */
const BASE_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ'];

/**
 * Turns a built command into the process to spawn for a transport. Pure: no process is started.
 *
 * @example
 * toProcessRequest(checkCommand({ stanza: 'main' }), { kind: 'docker', container: 'pg' });
 * // { file: 'docker', args: ['exec', '-u', 'postgres', 'pg', 'pgbackrest', '--stanza=main', 'check'], env: {} }
 */
export function toProcessRequest(
  command: Pick<PgBackRestCommand, 'file' | 'args' | 'env'>,
  transport: Transport = { kind: 'local' },
  inheritedEnv: Readonly<Record<string, string | undefined>> = process.env,
): ProcessRequest {
  const envNames = Object.keys(command.env);
  switch (transport.kind) {
    case 'local': {
      const runAs = transport.runAs;
      if (!runAs) return { file: command.file, args: command.args, env: command.env };
      checkName('user', runAs.user);
      const passed = [
        ...BASE_ENV,
        ...Object.keys(inheritedEnv).filter((name) => name.startsWith('PGBACKREST_')),
        ...envNames,
      ];
      const unique = [...new Set(passed)];
      if ((runAs.via ?? 'runuser') === 'runuser') {
        return {
          file: 'runuser',
          args: ['-u', runAs.user, '--', command.file, ...command.args],
          env: command.env,
          inheritEnv: unique,
        };
      }
      const preserve = unique.filter((name) => name.startsWith('PGBACKREST_'));
      return {
        file: 'sudo',
        args: [
          '-n',
          '-u',
          runAs.user,
          ...(preserve.length > 0 ? [`--preserve-env=${preserve.join(',')}`] : []),
          '--',
          command.file,
          ...command.args,
        ],
        env: command.env,
        inheritEnv: unique,
      };
    }
    case 'docker': {
      checkName('container', transport.container);
      const user = transport.user ?? 'postgres';
      checkName('user', user);
      return {
        file: transport.docker ?? 'docker',
        args: [
          'exec',
          '-u',
          user,
          ...envNames.flatMap((name) => ['-e', name]),
          transport.container,
          'sh',
          '-c',
          DOCKER_PID_WRAPPER,
          'sh',
          command.file,
          ...command.args,
        ],
        env: command.env,
      };
    }
    case 'ssh': {
      if (envNames.length > 0 && transport.secrets === 'refuse') {
        throw new PgBackRestConfigurationError(
          `secure options (${envNames.join(', ')}) cannot be sent over ssh with secrets: 'refuse'; set them in the remote pgbackrest.conf or use secrets: 'stdin'`,
        );
      }
      const exec = `exec ${[command.file, ...command.args].map(quote).join(' ')}`;
      const remote =
        envNames.length > 0
          ? `${SSH_PID_ECHO}; while IFS= read -r l; do export "$l"; done; ${exec}`
          : `${SSH_PID_ECHO}; ${exec}`;
      return {
        ...sshRequest(transport, remote),
        ...(envNames.length > 0
          ? { input: `${envNames.map((name) => `${name}=${command.env[name]}`).join('\n')}\n` }
          : {}),
      };
    }
  }
}

function checkName(what: string, value: string): void {
  if (!/^[A-Za-z0-9_.@:%+-]+$/.test(value) || value.startsWith('-')) {
    throw new PgBackRestConfigurationError(`${what} '${value}' is not a plain name (letters, digits, _ . @ : % + -)`);
  }
}
