import type * as ClientS3 from '@aws-sdk/client-s3';
import type * as NodeHttpHandler from '@smithy/node-http-handler';
import type * as SignatureV4 from '@smithy/signature-v4';

let clientS3: Promise<typeof ClientS3> | undefined;
let httpHandler: Promise<typeof NodeHttpHandler> | undefined;
let signatureV4: Promise<typeof SignatureV4> | undefined;

/**
 * The exports of a CommonJS module loaded by `import()`: Node gives them as named exports, a bundler's split chunk
 * (esbuild's) only as `default`.
 */
async function exportsOf<T extends object>(loading: Promise<T>, name: keyof T & string): Promise<T> {
  const loaded = await loading;
  if (name in loaded) return loaded;
  const exports = (loaded as { default?: T }).default;
  if (exports !== undefined && name in exports) return exports;
  throw new Error(`the loaded module has no ${name}: check the installed AWS SDK`);
}

/**
 * The AWS SDK's S3 module, loaded on first use: importing the library, or verifying a local path, does not load
 * the SDK (about a quarter of a second of start-up).
 *
 * @example
 * const { ListObjectsV2Command } = await s3Sdk();
 */
export function s3Sdk(): Promise<typeof ClientS3> {
  clientS3 ??= exportsOf(import('@aws-sdk/client-s3'), 'S3Client');
  return clientS3;
}

/** The SDK's Node HTTP handler module, loaded on first use. */
export function httpHandlerModule(): Promise<typeof NodeHttpHandler> {
  httpHandler ??= exportsOf(import('@smithy/node-http-handler'), 'NodeHttpHandler');
  return httpHandler;
}

/** The SDK's Signature V4 signer module, loaded on first use. */
export function signerModule(): Promise<typeof SignatureV4> {
  signatureV4 ??= exportsOf(import('@smithy/signature-v4'), 'SignatureV4');
  return signatureV4;
}
