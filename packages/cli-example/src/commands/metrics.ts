import type { CommandOutcome } from '../context.js';
import { CouldNotRunError } from '../errors.js';

/** Not available in this build: it needs `renderMetrics` from the libraries. */
export async function run(): Promise<CommandOutcome> {
  throw new CouldNotRunError('this build of chronos does not include `metrics` yet (it needs renderMetrics)');
}
