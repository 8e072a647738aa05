import type { DecodedObject } from './object-decoder.js';

/**
 * Decodes one check started that another check of the same object may take instead of reading it again (the
 * newest-instant read decodes the newest WAL segments, which the deep WAL check would decode once more). Only
 * what a check compares is kept (SHA-1, size, first bytes), never the content.
 *
 * @example
 * const shared = new SharedDecodes();
 * shared.offer(key, decodeStoredObject(storage, key, undefined, encoding, { keepContent: true }));
 * const decoded = await (shared.take(key) ?? decodeStoredObject(storage, key, undefined, encoding));
 */
export class SharedDecodes {
  private readonly offered = new Map<string, Promise<DecodedObject | undefined>>();

  /** Offers the decode of `key` (settled or not) to whoever takes it. */
  offer(key: string, decoding: Promise<DecodedObject | undefined>): void {
    const light = decoding.then((decoded) =>
      decoded === undefined
        ? undefined
        : {
            sha1: decoded.sha1,
            size: decoded.size,
            head: decoded.head,
            ...(decoded.storedSha1 !== undefined ? { storedSha1: decoded.storedSha1 } : {}),
          },
    );
    light.catch(() => {});
    this.offered.set(key, light);
  }

  /** The decode offered for `key`, once (it is forgotten), or `undefined`. */
  take(key: string): Promise<DecodedObject | undefined> | undefined {
    const decoding = this.offered.get(key);
    this.offered.delete(key);
    return decoding;
  }
}
