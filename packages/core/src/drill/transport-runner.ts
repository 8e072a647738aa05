import type { Transport } from '../exec/transport.js';
import { runOnTransport } from '../exec/transport-run.js';
import type { ProgramRunner } from './recovered-cluster.js';

/**
 * A {@link ProgramRunner} that runs programs the way a transport runs pgBackRest: locally (as `runAs`), in a
 * container (`docker exec`), or over ssh. Environment values travel as pgBackRest's secrets do (env, or ssh stdin);
 * a timeout or abort ends the program's process group over there too.
 *
 * @example
 * const run = transportRunner({ kind: 'local', runAs: { user: 'postgres' } });
 * const result = await run('/usr/lib/postgresql/15/bin/pg_ctl', ['-D', '/srv/drill/pgdata', 'status']);
 */
export function transportRunner(transport: Transport): ProgramRunner {
  return (file, args, options = {}) =>
    runOnTransport({ file, args: [...args], env: { ...options.env } }, transport, {
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
}
