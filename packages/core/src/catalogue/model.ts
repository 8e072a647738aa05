/** Catalogue versions the SDK carries definitions for (2.60.0 is built from 2.60.0dev). */
export type CatalogueVersion = '2.45' | '2.55.1' | '2.59.1' | '2.60.0';

/** pgBackRest option value types as config.yaml names them. */
export type OptionType = 'boolean' | 'integer' | 'string' | 'string-id' | 'path' | 'size' | 'time' | 'hash' | 'list';

/** Where an option may be set: command line only, `[global]` sections or `[stanza]` sections too. */
export type OptionSection = 'command-line' | 'global' | 'stanza';

/** Indexed option groups: `repo1-…` to `repo256-…`, `pg1-…` to `pg256-…`. */
export type OptionGroup = 'repo' | 'pg';

/** The role a command runs in; users run `main`, pgBackRest itself spawns the others. */
export type CommandRole = 'main' | 'async' | 'local' | 'remote';

/** An option's dependency on another option's value. */
export interface OptionDependency {
  readonly option: string;
  /** Values of `option` that make this option valid (any value when absent; booleans as `'true'`/`'false'`). */
  readonly list?: readonly string[];
  /** Value this option takes when the dependency is not met. */
  readonly default?: string;
}

/** How an option behaves for one command. */
export interface OptionCommandRule {
  /** True when the command needs a value (from the user or a default) once dependencies are met. */
  readonly required: boolean;
  /** Not meant for users (pgBackRest uses it between its own processes). */
  readonly internal: boolean;
  readonly roles: readonly CommandRole[];
  readonly default?: string;
  readonly allowList?: readonly string[];
  readonly depend?: OptionDependency;
}

/** One option as pgBackRest defines it, with inheritance and references resolved. */
export interface OptionDefinition {
  readonly name: string;
  readonly type: OptionType;
  readonly section: OptionSection;
  readonly group?: OptionGroup;
  /** Secure options are refused on the command line; pass them through the environment or a config file. */
  readonly secure: boolean;
  readonly internal: boolean;
  readonly beta: boolean;
  readonly negate: boolean;
  readonly reset: boolean;
  readonly required: boolean;
  /** Default value as pgBackRest writes it (C defines expanded to a stock build's paths). */
  readonly default?: string;
  /** Defaults that depend on the value of the `depend` option (e.g. compress-level by compress-type). */
  readonly defaultFor?: Readonly<Record<string, string>>;
  /** The default is computed at run time (e.g. `cmd` defaults to the running binary). */
  readonly defaultDynamic?: boolean;
  readonly allowList?: readonly string[];
  readonly allowRange?: readonly [string, string];
  readonly allowRangeFor?: Readonly<Record<string, readonly [string, string]>>;
  readonly depend?: OptionDependency;
  /** Older names pgBackRest still accepts; `?` stands for the index (`db?-host` → `db1-host`). */
  readonly deprecatedNames: readonly string[];
  /** Commands that accept the option, and how. */
  readonly commands: Readonly<Record<string, OptionCommandRule>>;
  /** Catalogue versions whose pgBackRest has this option. */
  readonly versions: readonly CatalogueVersion[];
}

/** One pgBackRest command. */
export interface CommandDefinition {
  readonly name: string;
  readonly internal: boolean;
  readonly roles: readonly CommandRole[];
  readonly parameterAllowed: boolean;
  readonly lockType: string;
}

/** Generated catalogue data for one pgBackRest version. */
export interface CatalogueData {
  readonly version: CatalogueVersion;
  /** Folder the definitions came from (`2.60.0dev` for 2.60.0). */
  readonly source: string;
  readonly commands: Readonly<Record<string, CommandDefinition>>;
  readonly options: Readonly<Record<string, OptionDefinition>>;
}
