import { brotliDecompressSync } from 'node:zlib';
import type { CatalogueData } from './model.js';

/** Decodes a generated catalogue: base64 of brotli-compressed JSON. */
export function unpackCatalogue(packed: string): CatalogueData {
  return JSON.parse(brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8')) as CatalogueData;
}
