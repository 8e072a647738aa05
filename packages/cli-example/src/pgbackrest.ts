import type { Info } from '@chronos/pgbackrest';
import type { CommandContext } from './context.js';
import { CouldNotRunError } from './errors.js';

/** The pgBackRest client for the global options (not in this build yet: it needs createPgBackRest). */
export async function clientFor(_context: CommandContext): Promise<{ info(): Promise<Info> }> {
  throw new CouldNotRunError(
    'this build of chronos cannot run pgBackRest yet (it needs createPgBackRest); use --from-file',
  );
}
