import { runProcess } from '../exec/process.js';

/** Whether a piece of the real test stack is present, and if not, why. */
export interface Availability {
  readonly available: boolean;
  /** One line saying what is missing and how to get it. */
  readonly reason: string;
}

const ok: Availability = { available: true, reason: '' };

async function answers(file: string, args: readonly string[], missing: string): Promise<Availability> {
  const result = await runProcess({ file, args, timeout: 15_000 });
  return result.exitCode === 0 ? ok : { available: false, reason: missing };
}

/** A Docker engine that answers `docker info`. */
export function probeDocker(): Promise<Availability> {
  return answers(
    'docker',
    ['info', '--format', '{{.ServerVersion}}'],
    'no Docker engine answers (run scripts/stack/prepare.sh)',
  );
}

/** A local `pgbackrest` binary. */
export function probePgBackRest(bin = 'pgbackrest'): Promise<Availability> {
  return answers(bin, ['version'], `no ${bin} binary (apt-get install -y pgbackrest)`);
}

/** A Docker image present in the local engine. */
export function probeImage(image: string): Promise<Availability> {
  return answers('docker', ['image', 'inspect', image], `image ${image} is missing (run scripts/stack/prepare.sh)`);
}

/**
 * Decides whether an integration suite runs. Returns `undefined` when everything is there, else the
 * reason to skip. Under `CI=true` a missing piece is an error, never a skip.
 *
 * @example
 * const skip = await integrationGate(await probeDocker(), await probeImage(image));
 * describe.skipIf(skip)('backup to S3', () => { … });
 */
export async function integrationGate(...checks: readonly Availability[]): Promise<string | undefined> {
  const missing = checks.filter((c) => !c.available).map((c) => c.reason);
  if (missing.length === 0) return undefined;
  const reason = missing.join('; ');
  if (isCi()) throw new Error(`CI=true and the test stack is incomplete: ${reason}`);
  return `skipped: ${reason}`;
}

/** True when running under CI (`CI=true` or `CI=1`). */
export function isCi(): boolean {
  const value = process.env['CI'];
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}
