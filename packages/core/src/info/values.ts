/**
 * A PostgreSQL system identifier as its exact decimal text. System ids are 64-bit and usually above 2^53, where a JSON
 * number would be rounded, so they are kept as a branded decimal string. Use {@link systemIdToBigInt} for arithmetic.
 *
 * @example
 * const id = info[0]!.db[0]!['system-id']; // '7711603885232359767'
 */
export type SystemId = string & { readonly __brand: 'SystemId' };

/**
 * Converts a {@link SystemId} to a bigint.
 *
 * @example
 * systemIdToBigInt(info[0]!.db[0]!['system-id']); // 7711603885232359767n
 */
export function systemIdToBigInt(id: SystemId): bigint {
  return BigInt(id);
}

/** Stanza status codes: 0 ok, 1 missing stanza path, 2 no valid backups, 3 missing stanza data, 4 different across repos, 5 database mismatch across repos, 6 requested backup not found, 99 other. */
export const STANZA_STATUS_CODES = [0, 1, 2, 3, 4, 5, 6, 99] as const;
/** Repository status codes (`repo[].status.code`): 0, 1, 2, 3, 6, 99 with the stanza meanings. */
export const REPO_STATUS_CODES = [0, 1, 2, 3, 6, 99] as const;
