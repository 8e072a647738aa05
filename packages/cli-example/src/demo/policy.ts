import type { CompiledPolicy } from '@chronos/pgbackrest/policy';

/** Options a policy compiles to that the demo stack takes over; location and secrets come from the stack itself. */
export interface StackPolicyOptions {
  /** `[global]` options without the `repoN-` ones (compression, start-fast, async archiving…). */
  readonly global: Record<string, string>;
  /** Per repository index: options without the `repoN-` prefix (retention…). */
  readonly repos: Record<number, Record<string, string>>;
  /** Repository indexes the policy encrypts. */
  readonly encrypted: ReadonlySet<number>;
}

const LOCATION = /^(type|path|host.*|s3-.*|gcs-.*|azure-.*|sftp-.*|storage-.*|cipher-type)$/;
const STACK_OWNED = new Set(['spool-path', 'lock-path', 'log-path']);

/**
 * Splits a compiled policy's `[global]` section into what the demo stack should apply: everything the policy decides
 * (retention, compression, start-fast, archiving) but not where things live (paths, buckets, endpoints), which the
 * throwaway stack and S3 endpoint supply.
 *
 * @example
 * ```ts
 * const { global, repos } = stackOptionsFromPolicy(compilePolicy(policy));
 * ```
 */
export function stackOptionsFromPolicy(compiled: Pick<CompiledPolicy, 'sections'>): StackPolicyOptions {
  const global: Record<string, string> = {};
  const repos: Record<number, Record<string, string>> = {};
  const encrypted = new Set<number>();
  for (const group of compiled.sections.global) {
    for (const [name, value] of group.entries) {
      const indexed = /^repo(\d+)-(.+)$/.exec(name);
      if (indexed === null) {
        if (!STACK_OWNED.has(name)) global[name] = value;
        continue;
      }
      const index = Number(indexed[1]);
      const option = indexed[2] as string;
      if (option === 'cipher-type' && value !== 'none') encrypted.add(index);
      if (LOCATION.test(option)) continue;
      repos[index] = { ...repos[index], [option]: value };
    }
  }
  return { global, repos, encrypted };
}
