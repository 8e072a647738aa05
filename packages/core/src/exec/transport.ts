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

/** First stdout line of a docker run: the process id (and group id) inside the container. */
export const DOCKER_PID_LINE = /^chronos-exec-pid (\d+)$/;

/**
 * `docker exec` starts its process as a session and group leader inside the container; killing the docker CLI
 * does not stop it. The wrapper prints that process id first so a timeout or abort can kill the group in there.
 */
const DOCKER_PID_WRAPPER = 'echo "chronos-exec-pid $$"; exec "$@"';

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
      checkName('host', transport.host);
      if (transport.user !== undefined) checkName('user', transport.user);
      if (envNames.length > 0 && transport.secrets === 'refuse') {
        throw new PgBackRestConfigurationError(
          `secure options (${envNames.join(', ')}) cannot be sent over ssh with secrets: 'refuse'; set them in the remote pgbackrest.conf or use secrets: 'stdin'`,
        );
      }
      const exec = `exec ${[command.file, ...command.args].map(quote).join(' ')}`;
      const remote = envNames.length > 0 ? `while IFS= read -r l; do export "$l"; done; ${exec}` : exec;
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
