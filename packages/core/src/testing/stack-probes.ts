import { access, constants } from 'node:fs/promises';
import { runProcess } from '../exec/process.js';
import type { Availability } from './availability.js';

/**
 * Whether {@link startNativeStack} can run here: PostgreSQL binaries in `pgBin`, a `postgres`
 * user, and tests running as root or as that user.
 *
 * @example
 * const skip = await integrationGate(await probePgBackRest(), await probeNativeStack());
 */
export async function probeNativeStack(pgBin = '/usr/lib/postgresql/15/bin', user = 'postgres'): Promise<Availability> {
  const missing: string[] = [];
  for (const program of ['initdb', 'pg_ctl', 'psql']) {
    const found = await access(`${pgBin}/${program}`, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!found) missing.push(`no ${pgBin}/${program} (apt-get install -y postgresql-15)`);
  }
  const id = await runProcess({ file: 'id', args: ['-u', user] });
  if (id.exitCode !== 0) missing.push(`no '${user}' user`);
  else if (process.getuid?.() !== 0 && process.getuid?.() !== Number.parseInt(id.stdout, 10)) {
    missing.push(`native stacks run PostgreSQL as '${user}': run the tests as root or '${user}'`);
  }
  return missing.length === 0 ? { available: true, reason: '' } : { available: false, reason: missing.join('; ') };
}
