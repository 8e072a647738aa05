/** A compressed stream that cannot be decoded (damaged, truncated, or not of its codec). */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}
