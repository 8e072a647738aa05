import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ownSignal } from '../../src/own-signal.js';

describe('ownSignal', () => {
  it('gives the caller one listener however many listen on it, and no listener-leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const caller = new AbortController();
      const own = ownSignal(caller.signal);
      for (let i = 0; i < 50; i++) own.signal.addEventListener('abort', () => undefined);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      own.release();
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it("aborts with the caller's reason, also when the caller had already aborted", () => {
    const reason = new Error('stop');
    const caller = new AbortController();
    const own = ownSignal(caller.signal);
    expect(own.signal.aborted).toBe(false);
    caller.abort(reason);
    expect(own.signal.reason).toBe(reason);
    expect(ownSignal(caller.signal).signal.reason).toBe(reason);
  });
});
