import type { SecretRef } from './secret-ref.js';

/**
 * An explanation attached to a compiled policy: where pgBackRest or a scheduler cannot express the policy
 * exactly, which nearest faithful setting was chosen and why; or a step the operator must take.
 */
export interface CompileNote {
  /** Stable identifier of the kind of note, e.g. `retention.diff-days-as-count`. */
  readonly code: string;
  /** Path into the policy the note is about, e.g. `repositories[0].retention.diff`. */
  readonly path?: string;
  readonly message: string;
}

/** A secret pgBackRest needs, delivered through its environment from the place the policy names. */
export interface SecretBinding {
  /** The pgBackRest option, e.g. `repo2-cipher-pass`. */
  readonly option: string;
  /** The environment variable pgBackRest reads it from, e.g. `PGBACKREST_REPO2_CIPHER_PASS`. */
  readonly env: string;
  /** Where the secret lives according to the policy. */
  readonly source: SecretRef;
  /** Name of the repository in the policy. */
  readonly repository: string;
}

/** One `[section]` block of pgbackrest.conf, as ordered option entries with an optional comment per group. */
export interface ConfigGroup {
  readonly comment?: string;
  readonly entries: readonly (readonly [name: string, value: string])[];
}

/** pgbackrest.conf as data: `[global]`, `[global:archive-push]` and `[<stanza>]` groups in order. */
export interface ConfigSections {
  readonly global: readonly ConfigGroup[];
  readonly archivePush: readonly ConfigGroup[];
  readonly stanza: readonly ConfigGroup[];
}
