export type { CommandOutcome, GlobalOptions } from './context.js';
export { CliError, CouldNotRunError, UsageError } from './errors.js';
export { EXIT_CODES_HELP, ExitCode, type ExitCodeValue } from './exit-codes.js';
export type { JsonEnvelope } from './output/envelope.js';
