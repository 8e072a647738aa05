import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../exec/process.js';
import type { PgBackRestStack, StackExecOptions } from './stack.js';
import { bootstrapStack, freeLoopbackPort, randomSuffix } from './stack-bootstrap.js';
import { type PgSettings, type RepoSpec, renderStackConfig, resolveRepos } from './stack-config.js';
import type { OnStartStep } from './stop-once.js';

/** Options for {@link startNativeStack}. */
export interface NativeStackOptions {
  /** Default `demo-<random>`. */
  readonly stanza?: string;
  /** PostgreSQL port on 127.0.0.1; default a free one. */
  readonly port?: number;
  /** Repositories in index order (`repos[0]` is `repo1`). */
  readonly repos: readonly RepoSpec[];
  /** Passphrase for repositories marked `encrypted` without their own. */
  readonly cipherPass?: string;
  /** Extra postgresql.conf settings. */
  readonly pgSettings?: PgSettings;
  /** Extra `[global]` pgBackRest options (no secrets). */
  readonly options?: Readonly<Record<string, string>>;
  /** PostgreSQL binaries. Default `/usr/lib/postgresql/15/bin`. */
  readonly pgBin?: string;
  /** The user that runs PostgreSQL and pgBackRest. Default `postgres`. */
  readonly user?: string;
  /**
   * Called as each start-up step begins (progress output); a throw aborts the start, and what was
   * already started (PostgreSQL, the temporary directory) is stopped and removed before it rethrows.
   */
  readonly onStep?: OnStartStep;
}

async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all(
    ['-u', '-g'].map(async (flag) => {
      const result = await runProcess({ file: 'id', args: [flag, user] });
      const id = Number.parseInt(result.stdout, 10);
      if (result.exitCode !== 0 || Number.isNaN(id)) throw new Error(`user '${user}' does not exist on this host`);
      return id;
    }),
  );
  return { uid: uid!, gid: gid! };
}

/**
 * Starts PostgreSQL and configures pgBackRest on this host, as user postgres, in private temporary
 * directories (data, socket, lock, log, posix repositories) and on a free loopback port. Secrets
 * reach pgBackRest through the environment only.
 *
 * @example
 * await using s3 = await startS3Endpoint();
 * await using stack = await startNativeStack({ repos: [{ type: 's3', endpoint: s3, cipherPass: 'throwaway' }] });
 * const out = await stack.exec('pgbackrest', [`--stanza=${stack.stanza}`, 'stanza-create']);
 */
export async function startNativeStack(options: NativeStackOptions): Promise<PgBackRestStack> {
  const user = options.user ?? 'postgres';
  const stanza = options.stanza ?? `demo-${randomSuffix()}`;
  const pgBin = options.pgBin ?? '/usr/lib/postgresql/15/bin';
  const port = options.port ?? (await freeLoopbackPort());
  const { uid, gid } = await userIds(user);
  const asUser = process.getuid?.() === uid;
  if (!asUser && process.getuid?.() !== 0) {
    throw new Error(`a native stack runs PostgreSQL as '${user}': run the tests as root or as '${user}'`);
  }

  const root = await mkdtemp(join(tmpdir(), 'chronos-stack-'));
  const teardown = () => rm(root, { recursive: true, force: true });
  try {
    await options.onStep?.('directories');
    const layout = {
      binDir: pgBin,
      dataPath: join(root, 'pgdata'),
      socketPath: join(root, 'run'),
      statePath: join(root, 'state'),
      configPath: join(root, 'pgbackrest.conf'),
      pgLogPath: join(root, 'postgresql.log'),
    };
    const { resolved, repos } = resolveRepos(options.repos, stanza, root);
    const { configText, secretEnv } = renderStackConfig({
      stanza,
      pgDataPath: layout.dataPath,
      pgPort: port,
      pgSocketPath: layout.socketPath,
      statePath: layout.statePath,
      repos: resolved,
      cipherPass: options.cipherPass,
      globalOptions: options.options,
    });

    await chmod(root, 0o755);
    for (const dir of [layout.socketPath, layout.statePath, ...repos.filter((r) => r.hostPath).map((r) => r.path)]) {
      await mkdir(dir, { recursive: true, mode: 0o750 });
    }
    for (const dir of ['lock', 'log', 'spool']) await mkdir(join(layout.statePath, dir), { mode: 0o750 });
    if (!asUser) {
      await runProcess({ file: 'chown', args: ['-R', `${uid}:${gid}`, root] }).then((r) => {
        if (r.exitCode !== 0) throw new Error(`cannot give ${root} to ${user}: ${r.stderr}`);
      });
      await chown(root, uid, gid);
    }

    const baseEnv = { PGBACKREST_CONFIG: layout.configPath, ...secretEnv };
    const exec = (file: string, args: readonly string[], opts: StackExecOptions = {}) =>
      runProcess({
        file: asUser ? file : 'runuser',
        args: asUser ? args : ['-u', user, '--', file, ...args],
        env: { ...baseEnv, ...opts.env },
        cwd: root,
        ...(opts.input === undefined ? {} : { input: opts.input }),
        ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });

    return await bootstrapStack({
      kind: 'native',
      stanza,
      port,
      layout,
      configText,
      archiveCommand: `pgbackrest --config=${layout.configPath} --stanza=${stanza} archive-push %p`,
      pgSettings: options.pgSettings,
      repos,
      transport: { kind: 'native', user, env: { PGBACKREST_CONFIG: layout.configPath } },
      exec,
      secretEnv,
      teardown,
      onStep: options.onStep,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
}
