import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../exec/process.js';
import { ensureSuccess, type PgBackRestStack, type StackExecOptions } from './stack.js';
import { bootstrapStack, freeLoopbackPort, randomSuffix } from './stack-bootstrap.js';
import { type PgSettings, type RepoSpec, renderStackConfig, resolveRepos } from './stack-config.js';
import { type OnStartStep, stopOnce } from './stop-once.js';

/** The image used when neither the option nor `CHRONOS_TEST_IMAGE` names one. */
export const DEFAULT_STACK_IMAGE = 'chronos-pg:15-2.45';

/** Options for {@link startContainerStack}. */
export interface ContainerStackOptions {
  /** Image with PostgreSQL and pgBackRest. Default `CHRONOS_TEST_IMAGE` or `chronos-pg:15-2.45`. */
  readonly image?: string;
  /** Default `demo-<random>`. */
  readonly stanza?: string;
  /** PostgreSQL port on 127.0.0.1 (host network); default a free one. */
  readonly port?: number;
  /** Repositories in index order (`repos[0]` is `repo1`). */
  readonly repos: readonly RepoSpec[];
  /** Passphrase for repositories marked `encrypted` without their own. */
  readonly cipherPass?: string;
  /** Extra postgresql.conf settings. */
  readonly pgSettings?: PgSettings;
  /** Extra `[global]` pgBackRest options (no secrets). */
  readonly options?: Readonly<Record<string, string>>;
  /**
   * Called as each start-up step begins (progress output); a throw aborts the start, and what was
   * already started (the container, the temporary directory) is stopped and removed before it rethrows.
   */
  readonly onStep?: OnStartStep;
}

interface StartedContainer {
  getName(): string;
  stop(options?: { remove?: boolean; timeout?: number }): Promise<unknown>;
}

interface ContainerBuilder {
  withNetworkMode(mode: string): ContainerBuilder;
  withEnvironment(env: Record<string, string>): ContainerBuilder;
  withBindMounts(mounts: Array<{ source: string; target: string; mode?: 'rw' | 'ro' }>): ContainerBuilder;
  withEntrypoint(entrypoint: string[]): ContainerBuilder;
  withCommand(command: string[]): ContainerBuilder;
  withName(name: string): ContainerBuilder;
  withStartupTimeout(ms: number): ContainerBuilder;
  start(): Promise<StartedContainer>;
}

async function loadTestcontainers(): Promise<new (image: string) => ContainerBuilder> {
  process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
  try {
    const specifier = 'testcontainers';
    const module = (await import(specifier)) as { GenericContainer: new (image: string) => ContainerBuilder };
    return module.GenericContainer;
  } catch (cause) {
    throw new Error(
      'Container stacks need the optional peer dependency testcontainers 11.x (npm i -D testcontainers@^11.14.0)',
      { cause },
    );
  }
}

const inside = {
  base: '/var/lib/chronos',
  dataPath: '/var/lib/chronos/pgdata',
  socketPath: '/var/lib/chronos/run',
  statePath: '/var/lib/chronos/state',
  configPath: '/etc/pgbackrest/pgbackrest.conf',
  pgLogPath: '/var/lib/chronos/postgresql.log',
};

/**
 * Starts PostgreSQL + pgBackRest in a container on the host network (loopback only) with
 * testcontainers. Posix repositories live in a host temporary directory mounted at the same path
 * inside, so `repo.hostPath === repo.path`. Secrets travel only as container environment variables.
 *
 * @example
 * await using s3 = await startS3Endpoint();
 * await using stack = await startContainerStack({
 *   image: 'chronos-pg:17-2.55.1',
 *   repos: [{ type: 's3', endpoint: s3, cipherPass: 'throwaway' }, { type: 'posix' }],
 * });
 * await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']);
 */
export async function startContainerStack(options: ContainerStackOptions): Promise<PgBackRestStack> {
  const image = options.image ?? process.env['CHRONOS_TEST_IMAGE'] ?? DEFAULT_STACK_IMAGE;
  const stanza = options.stanza ?? `demo-${randomSuffix()}`;
  const port = options.port ?? (await freeLoopbackPort());
  const GenericContainer = await loadTestcontainers();

  const root = await mkdtemp(join(tmpdir(), 'chronos-stack-'));
  const name = `chronos-${stanza}-${randomSuffix()}`;
  let container: StartedContainer | undefined;
  let containerName: string | undefined;
  let containerRequested = false;
  const dockerExec = (user: string, file: string, args: readonly string[], opts: StackExecOptions = {}) => {
    const envNames = Object.keys(opts.env ?? {}).flatMap((name) => ['-e', name]);
    return runProcess({
      file: 'docker',
      args: [
        'exec',
        ...(opts.input === undefined ? [] : ['-i']),
        '-u',
        user,
        '-w',
        user === 'root' ? '/' : inside.base,
        ...envNames,
        containerName ?? '',
        file,
        ...args,
      ],
      ...(opts.env === undefined ? {} : { env: opts.env }),
      ...(opts.input === undefined ? {} : { input: opts.input }),
      ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  };
  const hostOwner = process.getuid && process.getgid ? `${process.getuid()}:${process.getgid()}` : undefined;
  const teardown = stopOnce(async () => {
    try {
      // Files the container's postgres wrote under the bind mount go back to this process's user,
      // so a non-root user can remove them.
      if (containerName && hostOwner) await dockerExec('root', 'chown', ['-R', hostOwner, root], { timeout: 60_000 });
      if (container) await container.stop({ remove: true, timeout: 0 });
      else if (containerRequested) await runProcess({ file: 'docker', args: ['rm', '-f', name], timeout: 60_000 });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
  try {
    await options.onStep?.('directories');
    await chmod(root, 0o755);
    const { resolved, repos } = resolveRepos(options.repos, stanza, root);
    for (const repo of repos) if (repo.hostPath) await mkdir(repo.hostPath, { mode: 0o750 });
    const { configText, secretEnv } = renderStackConfig({
      stanza,
      pgDataPath: inside.dataPath,
      pgPort: port,
      pgSocketPath: inside.socketPath,
      statePath: inside.statePath,
      repos: resolved,
      cipherPass: options.cipherPass,
      globalOptions: options.options,
    });

    await options.onStep?.('container');
    containerRequested = true;
    container = await new GenericContainer(image)
      .withNetworkMode('host')
      .withEnvironment({ ...secretEnv })
      .withBindMounts([{ source: root, target: root, mode: 'rw' }])
      .withEntrypoint(['sleep'])
      .withCommand(['infinity'])
      .withName(name)
      .withStartupTimeout(60_000)
      .start();
    containerName = container.getName().replace(/^\//, '');

    await options.onStep?.('prepare container');
    const state = inside.statePath;
    ensureSuccess(
      'prepare container directories',
      await dockerExec('root', 'sh', [
        '-c',
        'set -e; mkdir -p "$1" "$2" "$3/lock" "$3/log" "$3/spool" /etc/pgbackrest; ' +
          'chown -R postgres:postgres "$1" "$3" /etc/pgbackrest "$4"; chmod 750 "$1"',
        'sh',
        inside.base,
        inside.socketPath,
        state,
        root,
      ]),
    );
    const majors = await dockerExec('root', 'sh', ['-c', 'ls -1 /usr/lib/postgresql | sort -n | tail -n 1']);
    const major = ensureSuccess('find PostgreSQL in the image', majors).stdout.trim();
    if (!/^\d+$/.test(major)) throw new Error(`image ${image} has no PostgreSQL under /usr/lib/postgresql`);

    return await bootstrapStack({
      kind: 'container',
      stanza,
      port,
      layout: { ...inside, binDir: `/usr/lib/postgresql/${major}/bin` },
      configText,
      archiveCommand: `pgbackrest --stanza=${stanza} archive-push %p`,
      pgSettings: options.pgSettings,
      repos,
      transport: { kind: 'container', user: 'postgres', containerName },
      exec: (file, args, opts) => dockerExec('postgres', file, args, opts),
      secretEnv,
      teardown,
      onStep: options.onStep,
    });
  } catch (error) {
    await teardown().catch(() => undefined);
    throw error;
  }
}
