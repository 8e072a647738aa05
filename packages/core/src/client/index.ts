export {
  type CommandOptions,
  createPgBackRest,
  type InfoCallOptions,
  type PgBackRestClient,
  type PgBackRestClientOptions,
  type RepoLsEntry,
  type RunOptions,
} from './pgbackrest-client.js';
