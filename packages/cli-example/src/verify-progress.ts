import { describeProgress, type VerifyProgress } from '@chronos/s3-verify';
import type { CommandContext } from './context.js';

/**
 * The verifier's progress callback for `--progress` (the default when stderr is a terminal): one line on stderr
 * at most every `intervalMs` (objects, bytes, rate, ETA); undefined when progress is off.
 *
 * @example
 * const onProgress = verifyProgress(options['progress'], context);
 */
export function verifyProgress(
  option: unknown,
  context: Pick<CommandContext, 'progress'>,
  intervalMs = 1_000,
): ((progress: VerifyProgress) => void) | undefined {
  const enabled = typeof option === 'boolean' ? option : process.stderr.isTTY === true;
  if (!enabled) return undefined;
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < intervalMs && progress.objects !== progress.totalObjects) return;
    last = now;
    context.progress(describeProgress(progress));
  };
}
