import type { DrillReport } from '../drill/report.js';
import { type RestoreDrillOptions, runDrillIn } from '../drill/run-drill.js';
import type { PgBackRestStack } from './stack.js';
import { createStackClient } from './stack-client.js';

/** Options for {@link drillStack}: those of `runRestoreDrill`, the client defaulting to the stack's. */
export interface StackDrillOptions extends Omit<RestoreDrillOptions, 'client'> {
  /** Default: `createStackClient(stack)`. */
  readonly client?: RestoreDrillOptions['client'];
}

/**
 * `runRestoreDrill` inside a test stack: restore, start on a private socket, wait for recovery, check, clean up, all
 * where the stack runs. A container stack is itself a throwaway container made by the testing kit, so the drill runs
 * in it (`runRestoreDrill` refuses a production container; `runContainerDrill` is the form for those).
 *
 * @example
 * const report = await drillStack(stack, {
 *   scratch: '/var/lib/chronos/drill',
 *   target: { type: 'immediate', repo: 1 },
 *   checks: [{ sql: 'SELECT count(*) FROM orders', expect: { kind: 'count-at-least', min: 1 } }],
 * });
 */
export function drillStack(stack: PgBackRestStack, options: StackDrillOptions): Promise<DrillReport> {
  const client = options.client ?? createStackClient(stack, { timeout: 600_000 });
  return runDrillIn({ ...options, client }, stack.transport.kind === 'container');
}
