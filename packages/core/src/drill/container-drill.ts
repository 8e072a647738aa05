import { randomBytes } from 'node:crypto';
import { createPgBackRest } from '../client/pgbackrest-client.js';
import { type ProcessResult, runProcess } from '../exec/process.js';
import { DrillError, DrillRefusedError } from './errors.js';
import type { DrillReport } from './report.js';
import { type RestoreDrillOptions, runDrillIn } from './run-drill.js';
import { transportRunner } from './transport-runner.js';

/** Options for {@link runContainerDrill}. */
export interface ContainerDrillOptions extends Omit<RestoreDrillOptions, 'client' | 'scratch' | 'clusterDataPath'> {
  /** The client of the production deployment: a `docker` transport into the container running PostgreSQL and pgBackRest. */
  readonly client: RestoreDrillOptions['client'];
  /** The image of the production container (PostgreSQL and pgBackRest of the same versions). */
  readonly image: string;
  /** Docker CLI binary. Default `docker`. */
  readonly docker?: string;
}

interface Mount {
  readonly Type: string;
  readonly Source: string;
  readonly Destination: string;
  readonly Name?: string;
}

/** What the drill needs from pgbackrest.conf: the data directory and the posix repository paths. */
export interface DrillConfigFacts {
  readonly pg1Path?: string;
  readonly repoPaths: readonly string[];
}

/**
 * Reads `pg1-path` and every `repoN-path` of a stanza (its section, else `[global]`) from pgbackrest.conf text.
 *
 * @example
 * drillConfigFacts('[global]\nrepo1-path=/repo\n[main]\npg1-path=/data\n', 'main'); // { pg1Path: '/data', repoPaths: ['/repo'] }
 */
export function drillConfigFacts(text: string, stanza: string): DrillConfigFacts {
  const values = new Map<string, Map<string, string>>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const pair = /^([a-z0-9-]+)\s*=\s*(.*)$/.exec(line);
    if (pair === null || (section !== stanza && section !== 'global')) continue;
    if (!values.has(section)) values.set(section, new Map());
    values.get(section)!.set(pair[1]!, pair[2]!);
  }
  const get = (name: string) => values.get(stanza)?.get(name) ?? values.get('global')?.get(name);
  const names = new Set([...(values.get('global')?.keys() ?? []), ...(values.get(stanza)?.keys() ?? [])]);
  const repoPaths = [...names].filter((n) => /^repo\d+-path$/.test(n)).map((n) => get(n)!);
  const pg1Path = get('pg1-path');
  return { ...(pg1Path === undefined ? {} : { pg1Path }), repoPaths };
}

function within(inner: string, outer: string): boolean {
  const o = outer.replace(/\/+$/, '');
  return inner === o || inner.startsWith(`${o}/`);
}

/**
 * The production container's mounts the drill container gets, read-only: those holding a posix repository, never one
 * holding (or inside) the data directory.
 *
 * @example
 * repositoryMounts([{ Type: 'volume', Name: 'repo', Source: '…', Destination: '/var/lib/pgbackrest' }], { repoPaths: ['/var/lib/pgbackrest'] });
 */
export function repositoryMounts(mounts: readonly Mount[], facts: DrillConfigFacts): string[] {
  return mounts
    .filter(
      (m) =>
        facts.pg1Path === undefined || !(within(facts.pg1Path, m.Destination) || within(m.Destination, facts.pg1Path)),
    )
    .filter((m) => facts.repoPaths.some((path) => within(path, m.Destination)))
    .map((m) =>
      m.Type === 'volume'
        ? `type=volume,src=${m.Name},dst=${m.Destination},readonly`
        : `type=bind,src=${m.Source},dst=${m.Destination},readonly`,
    );
}

const DRILL_ROOT = '/var/lib/chronos-drill';

/**
 * The restore drill for a deployment where PostgreSQL runs in a container: the drill runs in a throwaway container
 * from the same image, never inside the production container or on its volumes. The throwaway container gets the
 * production pgbackrest.conf, its pgBackRest secrets (by environment, never argv), read-only mounts of the posix
 * repositories, a scratch volume for the restore, and the production container's network mode; the drill's
 * PostgreSQL listens on a private Unix socket only. The container and the volume are removed on every path.
 *
 * @example
 * const production = createPgBackRest({ stanza: 'chronos', transport: { kind: 'docker', container: 'chronos-db' } });
 * const report = await runContainerDrill({ client: production, image: 'chronos-pg:15-2.45', checks });
 */
export async function runContainerDrill(options: ContainerDrillOptions): Promise<DrillReport> {
  const production = options.client.transport;
  if (production.kind !== 'docker') {
    throw new DrillRefusedError(
      'the container form needs a client that reaches the production container (a docker transport)',
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:/@-]*$/.test(options.image)) {
    throw new DrillRefusedError(`'${options.image}' is not an image name`);
  }
  const dockerBin = options.docker ?? production.docker ?? 'docker';
  const user = production.user ?? 'postgres';
  const name = `chronos-drill-${randomBytes(4).toString('hex')}`;
  const progress = options.onProgress ?? (() => undefined);
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const onSignal = (signal: string) =>
    controller.abort(new DrillError('aborted', 'isolation', `interrupted by ${signal}`));
  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const signal = controller.signal;
  const docker = (args: string[], extra: { env?: Record<string, string>; input?: string; timeout?: number } = {}) =>
    runProcess({ file: dockerBin, args, timeout: extra.timeout ?? 120_000, signal, ...extra });
  const must = (what: string, result: ProcessResult) => {
    if (signal.aborted) throw signal.reason ?? new DrillError('aborted', 'isolation', 'the drill was aborted');
    if (result.exitCode !== 0) {
      throw new DrillError(
        'failed',
        'isolation',
        `${what} failed: ${result.stderr.trim() || result.failedToSpawn?.message || `exit ${result.exitCode}`}`,
      );
    }
    return result;
  };
  let created = false;
  let keep = false;
  try {
    const restoreBase = await options.client.build('restore', {}, []);
    const inspect = must(
      `docker inspect ${production.container}`,
      await docker([
        'inspect',
        '--format',
        '{{json .Mounts}}\n{{json .HostConfig.NetworkMode}}\n{{json .Config.Env}}',
        production.container,
      ]),
    );
    const [mountsJson, networkJson, envJson] = inspect.stdout.trim().split('\n');
    const mounts = JSON.parse(mountsJson ?? '[]') as Mount[];
    const network = JSON.parse(networkJson ?? '"default"') as string;
    const productionEnv = Object.fromEntries(
      (JSON.parse(envJson ?? '[]') as string[]).map((pair) => [
        pair.slice(0, pair.indexOf('=')),
        pair.slice(pair.indexOf('=') + 1),
      ]),
    );
    const configPath =
      restoreBase.args.find((a) => a.startsWith('--config='))?.slice('--config='.length) ??
      productionEnv['PGBACKREST_CONFIG'] ??
      '/etc/pgbackrest/pgbackrest.conf';
    const read = await transportRunner(production)('cat', [configPath], { timeout: 30_000, signal });
    const configText = must(`reading ${configPath} in ${production.container}`, read).stdout;
    const facts = drillConfigFacts(configText, options.client.stanza);
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...productionEnv, ...restoreBase.env })) {
      if (key.startsWith('PGBACKREST_') && key !== 'PGBACKREST_CONFIG') secrets[key] = value;
    }
    const state = {
      PGBACKREST_LOCK_PATH: `${DRILL_ROOT}/state/lock`,
      PGBACKREST_LOG_PATH: `${DRILL_ROOT}/state/log`,
      PGBACKREST_SPOOL_PATH: `${DRILL_ROOT}/state/spool`,
    };

    progress(`starting throwaway container ${name} from ${options.image} (scratch volume ${name})`);
    created = true;
    must('docker volume create', await docker(['volume', 'create', name]));
    must(
      'docker run',
      await docker(
        [
          'run',
          '-d',
          '--name',
          name,
          '--label',
          'chronos.drill=1',
          '--network',
          network,
          '--mount',
          `type=volume,src=${name},dst=${DRILL_ROOT}`,
          ...repositoryMounts(mounts, facts).flatMap((m) => ['--mount', m]),
          ...Object.keys(secrets).flatMap((key) => ['-e', key]),
          ...Object.entries(state).flatMap(([key, value]) => ['-e', `${key}=${value}`]),
          '--entrypoint',
          'sleep',
          options.image,
          'infinity',
        ],
        { env: secrets },
      ),
    );
    must(
      'prepare the drill container',
      await docker(
        [
          'exec',
          '-i',
          '-u',
          'root',
          name,
          'sh',
          '-c',
          'set -e; mkdir -p "$2/lock" "$2/log" "$2/spool" "$(dirname "$1")"; cat > "$1"; chown -R "$3" "$4" "$1"',
          'sh',
          configPath,
          `${DRILL_ROOT}/state`,
          user,
          DRILL_ROOT,
        ],
        { input: configText },
      ),
    );
    const client = createPgBackRest({
      stanza: options.client.stanza,
      transport: { kind: 'docker', container: name, user, docker: dockerBin },
      config: configPath,
    });
    const report = await runDrillIn(
      {
        ...options,
        client,
        scratch: `${DRILL_ROOT}/drill`,
        signal,
        handleSignals: false,
        ...(facts.pg1Path === undefined ? {} : { clusterDataPath: facts.pg1Path }),
      },
      true,
    );
    keep = options.keep === true;
    if (keep && report.kept !== undefined) {
      return {
        ...report,
        kept: {
          connect: `${dockerBin} exec -it -u ${user} ${name} ${report.kept.connect}`,
          remove: `${dockerBin} rm -f ${name} && ${dockerBin} volume rm ${name}`,
        },
      };
    }
    return report;
  } catch (error) {
    keep = false;
    if (signal.aborted && !(error instanceof DrillError)) {
      throw new DrillError('aborted', 'isolation', 'the drill was aborted', { cause: signal.reason ?? error });
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (created && !keep) {
      await runProcess({ file: dockerBin, args: ['rm', '-f', '-v', name], timeout: 120_000 });
      await runProcess({ file: dockerBin, args: ['volume', 'rm', '-f', name], timeout: 120_000 });
    }
    if (options.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
