import { setMaxListeners } from 'node:events';

/** A signal of the verifier's own that aborts with the caller's, and how to stop following it. */
export interface OwnSignal {
  readonly signal: AbortSignal;
  readonly release: () => void;
}

/**
 * A signal that aborts when (and as) the caller's does, on which every request of a run may listen: the caller's
 * signal gets one listener however many requests are in flight, so no listener-leak warning reaches its process.
 */
export function ownSignal(caller: AbortSignal): OwnSignal {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const follow = () => controller.abort(caller.reason);
  if (caller.aborted) follow();
  else caller.addEventListener('abort', follow, { once: true });
  return { signal: controller.signal, release: () => caller.removeEventListener('abort', follow) };
}
