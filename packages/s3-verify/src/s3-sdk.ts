import type * as ClientS3 from '@aws-sdk/client-s3';
import type * as NodeHttpHandler from '@smithy/node-http-handler';
import type * as SignatureV4 from '@smithy/signature-v4';

let clientS3: Promise<typeof ClientS3> | undefined;
let httpHandler: Promise<typeof NodeHttpHandler> | undefined;
let signatureV4: Promise<typeof SignatureV4> | undefined;

/**
 * The AWS SDK's S3 module, loaded on first use: importing the library, or verifying a local path, does not load
 * the SDK (about a quarter of a second of start-up).
 *
 * @example
 * const { ListObjectsV2Command } = await s3Sdk();
 */
export function s3Sdk(): Promise<typeof ClientS3> {
  clientS3 ??= import('@aws-sdk/client-s3');
  return clientS3;
}

/** The SDK's Node HTTP handler module, loaded on first use. */
export function httpHandlerModule(): Promise<typeof NodeHttpHandler> {
  httpHandler ??= import('@smithy/node-http-handler');
  return httpHandler;
}

/** The SDK's Signature V4 signer module, loaded on first use. */
export function signerModule(): Promise<typeof SignatureV4> {
  signatureV4 ??= import('@smithy/signature-v4');
  return signatureV4;
}
