export type { Availability } from './availability.js';
export { integrationGate, isCi, probeDocker, probeImage, probePgBackRest } from './availability.js';
export type { ContainerStackOptions } from './container-stack.js';
export { DEFAULT_STACK_IMAGE, startContainerStack } from './container-stack.js';
export { createRestorePoint, currentLsn, switchWal, writeRows } from './database-activity.js';
export type { NativeStackOptions } from './native-stack.js';
export { startNativeStack } from './native-stack.js';
export type { StackClientOptions, StackClientTarget } from './stack-client.js';
export { createStackClient, secretEnvToOptions, stackTransport } from './stack-client.js';
export type { S3Endpoint, S3EndpointOptions } from './s3-endpoint.js';
export { startS3Endpoint } from './s3-endpoint.js';
export type { PgBackRestStack, StackExecOptions, StackPostgres, StackTransport } from './stack.js';
export { ensureSuccess, StackCommandError } from './stack.js';
export type { StackClientOptions, StackClientTarget } from './stack-client.js';
export { createStackClient, secretEnvToOptions, stackTransport } from './stack-client.js';
export type {
  PgSettings,
  PosixRepoSpec,
  RepoOptionValues,
  RepoSpec,
  ResolvedRepo,
  S3RepoSpec,
  StackConfig,
  StackConfigInput,
  StackRepo,
} from './stack-config.js';
export { renderPostgresSettings, renderStackConfig, resolveRepos } from './stack-config.js';
export { probeNativeStack } from './stack-probes.js';
export type { TlsCertificate } from './tls-certificate.js';
export { createSelfSignedCertificate } from './tls-certificate.js';
