import type { AnyCommandOptions } from '../catalogue/options.generated.js';
import { createPgBackRest, type PgBackRestClient, type PgBackRestClientOptions } from '../client/index.js';
import type { Transport } from '../exec/transport.js';
import type { StackTransport } from './stack.js';

/** What {@link createStackClient} needs to know about a stack. */
export interface StackClientTarget {
  readonly stanza: string;
  readonly configPath: string;
  readonly pgBackRestVersion: string;
  readonly transport: StackTransport;
  /** The stack's secrets as `PGBACKREST_*` variables; a native stack's client needs them. */
  secretEnv?(): Readonly<Record<string, string>>;
}

/** Options for {@link createStackClient}: client settings besides stanza, config, transport and version. */
export interface StackClientOptions extends Omit<PgBackRestClientOptions, 'stanza' | 'config' | 'transport'> {
  /**
   * Secrets as `PGBACKREST_*` environment names (`PGBACKREST_REPO1_CIPHER_PASS`), turned into client options so they
   * travel by environment. Default: the stack's own `secretEnv()` for a native stack; a container stack already
   * carries its secrets in the container.
   */
  readonly secretEnv?: Readonly<Record<string, string>>;
}

/**
 * The client transport that reaches a stack: `runuser` to the stack's user on the host, or
 * `docker exec` into its container.
 *
 * @example
 * stackTransport({ kind: 'container', user: 'postgres', containerName: 'chronos-demo' });
 * // { kind: 'docker', container: 'chronos-demo', user: 'postgres' }
 */
export function stackTransport(transport: StackTransport): Transport {
  return transport.kind === 'native'
    ? { kind: 'local', runAs: { user: transport.user } }
    : { kind: 'docker', container: transport.containerName, user: transport.user };
}

/**
 * Turns `PGBACKREST_REPO1_CIPHER_PASS`-style names into option names (`repo1-cipher-pass`).
 *
 * @example
 * secretEnvToOptions({ PGBACKREST_REPO2_S3_KEY: 'k' }); // { 'repo2-s3-key': 'k' }
 */
export function secretEnvToOptions(env: Readonly<Record<string, string>>): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!/^PGBACKREST_[A-Z0-9_]+$/.test(name)) throw new Error(`'${name}' is not a PGBACKREST_* variable name`);
    options[name.slice('PGBACKREST_'.length).toLowerCase().replaceAll('_', '-')] = value;
  }
  return options;
}

/**
 * A {@link PgBackRestClient} bound to a stack: its stanza, its pgbackrest.conf, its transport and
 * its pgBackRest version (no detection round trip). Options given here win over the secrets.
 *
 * @example
 * await using stack = await startContainerStack({ repos: [{ type: 'posix' }] });
 * const client = createStackClient(stack, { timeout: 120_000 });
 * await client.stanzaCreate();
 * await client.backup({ type: 'full', 'start-fast': true });
 */
export function createStackClient(stack: StackClientTarget, options: StackClientOptions = {}): PgBackRestClient {
  const { secretEnv, options: extra, ...settings } = options;
  const secrets = secretEnv ?? (stack.transport.kind === 'native' ? stack.secretEnv?.() : undefined) ?? {};
  const merged = { ...secretEnvToOptions(secrets), ...extra } as Partial<AnyCommandOptions>;
  return createPgBackRest({
    version: stack.pgBackRestVersion,
    ...settings,
    stanza: stack.stanza,
    config: stack.configPath,
    transport: stackTransport(stack.transport),
    options: merged,
  });
}
