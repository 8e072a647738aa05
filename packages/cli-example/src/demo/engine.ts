import { existsSync } from 'node:fs';
import { runProcess } from '@chronos/pgbackrest';
import { DEFAULT_STACK_IMAGE, probeDocker, probeImage, probePgBackRest } from '@chronos/pgbackrest/testing';
import { CouldNotRunError } from '../errors.js';

/** Where the demo's PostgreSQL + pgBackRest run. */
export type Engine = 'native' | 'container';

const PG_BIN = '/usr/lib/postgresql/15/bin';

async function nativeReady(): Promise<boolean> {
  return existsSync(`${PG_BIN}/postgres`) && (await probePgBackRest()).available;
}

async function containerReady(image: string): Promise<string | undefined> {
  const docker = await probeDocker();
  if (!docker.available) return docker.reason;
  const found = await probeImage(image);
  return found.available ? undefined : found.reason;
}

async function aptInstall(progress: (line: string) => void): Promise<void> {
  const packages = ['pgbackrest', ...(existsSync(`${PG_BIN}/postgres`) ? [] : ['postgresql-15'])];
  progress(`installing ${packages.join(' ')} with apt-get`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    runProcess({
      file: 'apt-get',
      args: ['install', '-y', '--no-install-recommends', ...packages],
      env,
      timeout: 600_000,
    });
  let result = await install();
  if (result.exitCode !== 0) {
    await runProcess({ file: 'apt-get', args: ['update'], env, timeout: 300_000 });
    result = await install();
  }
  if (result.exitCode !== 0) {
    throw new CouldNotRunError(
      `apt-get install ${packages.join(' ')} failed: ${result.stderr.trim().split('\n').at(-1) ?? ''}`,
    );
  }
}

/**
 * Picks the engine: `native` when PostgreSQL 15 and pgBackRest are installed (installing them with apt when running
 * as root), `container` when asked or when only a Docker engine with the stack image is there.
 *
 * @example
 * ```ts
 * const engine = await chooseEngine('auto', console.error);
 * ```
 */
export async function chooseEngine(requested: 'auto' | Engine, progress: (line: string) => void): Promise<Engine> {
  const image = process.env['CHRONOS_TEST_IMAGE'] ?? DEFAULT_STACK_IMAGE;
  if (requested === 'container') {
    const missing = await containerReady(image);
    if (missing !== undefined) throw new CouldNotRunError(`--engine container: ${missing}`);
    return 'container';
  }
  if (await nativeReady()) return 'native';
  if (requested === 'auto' && (await containerReady(image)) === undefined) return 'container';
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    await aptInstall(progress);
    if (await nativeReady()) return 'native';
  }
  throw new CouldNotRunError(
    'no PostgreSQL 15 + pgBackRest here: run as root to let the demo install them (apt-get install pgbackrest postgresql-15), or run scripts/stack/prepare.sh for a container engine',
  );
}
