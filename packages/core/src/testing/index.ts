/**
 * `@chronos/pgbackrest/testing`: real PostgreSQL + pgBackRest stacks for tests, on this host
 * (`startNativeStack`) or in a container (`startContainerStack`, needs the optional peer dependency
 * `testcontainers`), a local TLS S3 endpoint with fault injection (`startS3Endpoint`), a ready client
 * per stack (`createStackClient`), data helpers (`writeRows`, `switchWal`, `createRestorePoint`) and
 * `drillStack` (the restore drill, where the stack runs) and `startRestoredCluster` (its start-and-wait alone), and
 * `integrationGate` to skip locally / fail under CI when a piece is missing. Everything cleans up
 * with `await using`.
 *
 * The container image comes from the `image` option, else `CHRONOS_TEST_IMAGE`, else
 * `chronos-pg:15-2.45`. Where CI reaches a container registry, build it from `images/Dockerfile`:
 *
 *     docker build -t chronos-pg:17-2.55.1 \
 *       --build-arg PG_MAJOR=17 --build-arg PGBACKREST_VERSION=2.55.1 images/
 *     CHRONOS_TEST_IMAGE=chronos-pg:17-2.55.1 pnpm test:integration
 *
 * (The Dockerfile installs the Debian `pgbackrest` package of that version on the official
 * `postgres:<major>` image; `scripts/stack/prepare.sh` builds the same images without a registry.)
 *
 * @example
 * await using s3 = await startS3Endpoint();
 * await using stack = await startContainerStack({ repos: [{ type: 'posix' }, { type: 's3', endpoint: s3, cipherPass: 'throwaway' }] });
 * const client = createStackClient(stack);
 * await client.stanzaCreate();
 * await client.backup({ type: 'full', 'start-fast': true });
 *
 * @packageDocumentation
 */

export type { PgBackRestConfigVerdict } from '../config/lint/pgbackrest-verdict.js';
/** The SDK's process runner (own process group, tree kill on timeout/abort), for tests that start programs. */
export { type ProcessRequest, type ProcessResult, runProcess } from '../exec/process.js';
export type { Availability } from './availability.js';
export { integrationGate, isCi, probeDocker, probeImage, probePgBackRest } from './availability.js';
export type { ConfigJudge, ConfigRun, ConfigRunResult, JudgeConfigFilesOptions } from './config-verdict.js';
export { judgeConfigFiles } from './config-verdict.js';
export type { ContainerStackOptions } from './container-stack.js';
export { DEFAULT_STACK_IMAGE, startContainerStack } from './container-stack.js';
export { createRestorePoint, currentLsn, switchWal, writeRows } from './database-activity.js';
export { buildDeploymentImage, type DeploymentImageOptions } from './deployment-image.js';
export type { LintComparison, LintDisagreement } from './lint-comparison.js';
export { compareLintWithPgBackRest } from './lint-comparison.js';
export type { NativeStackOptions } from './native-stack.js';
export { startNativeStack } from './native-stack.js';
export type { RestoredCluster, RestoredClusterFailure, RestoredClusterOptions } from './restored-cluster.js';
export {
  isRecoveryTargetNotReachedError,
  isRestoredClusterError,
  RecoveryTargetNotReachedError,
  RestoredClusterError,
  recoveryLogExcerpt,
  startRestoredCluster,
} from './restored-cluster.js';
export type { S3Endpoint, S3EndpointOptions } from './s3-endpoint.js';
export { startS3Endpoint } from './s3-endpoint.js';
export type { PgBackRestStack, StackExecOptions, StackPostgres, StackTransport } from './stack.js';
export { ensureSuccess, StackCommandError } from './stack.js';
export type { StackClientOptions, StackClientTarget } from './stack-client.js';
export { createStackClient, secretEnvToOptions, stackTransport } from './stack-client.js';
export type {
  PgSettings,
  PosixRepoSpec,
  PostgresSettingsInput,
  RepoOptionValues,
  RepoSpec,
  ResolvedRepo,
  S3RepoSpec,
  StackConfig,
  StackConfigInput,
  StackRepo,
} from './stack-config.js';
export { renderPostgresSettings, renderStackConfig, resolveRepos } from './stack-config.js';
export { drillStack, type StackDrillOptions } from './stack-drill.js';
export { probeNativeStack } from './stack-probes.js';
export type { OnStartStep, StartStep } from './stop-once.js';
export type { TlsCertificate } from './tls-certificate.js';
export { createSelfSignedCertificate } from './tls-certificate.js';
