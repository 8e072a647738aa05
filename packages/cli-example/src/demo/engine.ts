import { existsSync } from 'node:fs';
import { DEFAULT_STACK_IMAGE, probeDocker, probeImage, probePgBackRest, runProcess } from '@chronos/pgbackrest/testing';
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

/** How the demo may install missing system packages: only when asked. */
export interface InstallConsent {
  /** `--install-packages`: install without asking. */
  readonly allowed: boolean;
  /** On a terminal: asks before installing. Absent: never asks. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

function missingPackages(): string[] {
  return ['pgbackrest', ...(existsSync(`${PG_BIN}/postgres`) ? [] : ['postgresql-15'])];
}

async function aptInstall(packages: readonly string[], progress: (line: string) => void): Promise<void> {
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
 * Picks the engine: `native` when PostgreSQL 15 and pgBackRest are installed, `container` when asked or when only a
 * Docker engine with the stack image is there. Missing packages are installed with apt (as root) only with consent:
 * `--install-packages`, or a yes on a terminal; otherwise the error names what would be installed.
 *
 * @example
 * ```ts
 * const engine = await chooseEngine('auto', console.error, { allowed: false });
 * ```
 */
export async function chooseEngine(
  requested: 'auto' | Engine,
  progress: (line: string) => void,
  consent: InstallConsent,
): Promise<Engine> {
  const image = process.env['CHRONOS_TEST_IMAGE'] ?? DEFAULT_STACK_IMAGE;
  if (requested === 'container') {
    const missing = await containerReady(image);
    if (missing !== undefined) throw new CouldNotRunError(`--engine container: ${missing}`);
    return 'container';
  }
  if (await nativeReady()) return 'native';
  if (requested === 'auto' && (await containerReady(image)) === undefined) return 'container';
  const packages = missingPackages();
  const wouldInstall = `apt-get install ${packages.join(' ')}`;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    const yes = consent.allowed || (await consent.confirm?.(`The demo needs: ${wouldInstall}. Install now?`)) === true;
    if (yes) {
      await aptInstall(packages, progress);
      if (await nativeReady()) return 'native';
    } else {
      throw new CouldNotRunError(
        `no PostgreSQL 15 + pgBackRest here: the demo would run ${wouldInstall}; rerun with --install-packages (or answer yes on a terminal), or run scripts/stack/prepare.sh for a container engine`,
      );
    }
  }
  throw new CouldNotRunError(
    `no PostgreSQL 15 + pgBackRest here: install them as root (${wouldInstall}, or chronos demo --install-packages), or run scripts/stack/prepare.sh for a container engine`,
  );
}
