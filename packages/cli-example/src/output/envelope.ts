import type { ExitCodeValue } from '../exit-codes.js';

/**
 * The one JSON document `chronos <command> --json` prints on stdout, success or failure.
 * `result` is the command's own stable shape (documented in each command's `--help`); `error` replaces it when the
 * command could not complete. Additive changes keep `schemaVersion`; breaking changes bump it.
 *
 * @example
 * ```json
 * { "schemaVersion": 1, "command": "policy schedule", "exitCode": 0, "result": { "runs": [] } }
 * { "schemaVersion": 1, "command": "info", "exitCode": 2, "error": { "type": "UsageError", "message": "…" } }
 * ```
 */
export type JsonEnvelope =
  | { schemaVersion: 1; command: string; exitCode: ExitCodeValue; result: unknown }
  | { schemaVersion: 1; command: string; exitCode: ExitCodeValue; error: { type: string; message: string } };
