import type { ExitCodeValue } from './exit-codes.js';
import type { Colours } from './output/colour.js';

/** Global options, from flags or their `CHRONOS_*` environment equivalents. */
export interface GlobalOptions {
  stanza?: string;
  /** Every `--stanza` given, in order (commands that watch several stanzas, e.g. `chronos exporter`). */
  stanzas?: readonly string[];
  config?: string;
  bin?: string;
  docker?: string;
  ssh?: string;
  user?: string;
  json?: boolean;
}

/** What every command receives besides its own arguments. */
export interface CommandContext {
  readonly globals: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  /** Colours for human output on stdout. */
  readonly colours: Colours;
  /** Progress and notes for people; goes to stderr so stdout stays parseable. */
  progress(line: string): void;
  /** Whether stdin and stdout are terminals (prompts are allowed). */
  readonly interactive: boolean;
  /** Asks a yes/no question on the terminal. */
  confirm(question: string): Promise<boolean>;
  /** Registers a value (e.g. a generated passphrase) that must never appear in output. */
  addSecret(value: string): void;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/** What a command hands back: its exit code, its stable JSON result and its text for people. */
export interface CommandOutcome {
  exitCode: ExitCodeValue;
  result: unknown;
  text: string;
}
