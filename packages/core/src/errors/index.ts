export * from './classes.generated.js';
export { errorFromExit, type FailedRun, parseErrorReport } from './error-from-exit.js';
export {
  isPgBackRestError,
  PgBackRestAbortError,
  PgBackRestConfigurationError,
  PgBackRestError,
  type PgBackRestErrorDetails,
  type PgBackRestErrorKind,
  type PgBackRestErrorReport,
  PgBackRestExitError,
  PgBackRestOutputError,
  PgBackRestSpawnError,
  PgBackRestTimeoutError,
} from './pgbackrest-error.js';
