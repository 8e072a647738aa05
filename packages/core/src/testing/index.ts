export type { Availability } from './availability.js';
export { integrationGate, isCi, probeDocker, probeImage, probePgBackRest } from './availability.js';
export type { S3Endpoint, S3EndpointOptions } from './s3-endpoint.js';
export { startS3Endpoint } from './s3-endpoint.js';
export type { TlsCertificate } from './tls-certificate.js';
export { createSelfSignedCertificate } from './tls-certificate.js';
