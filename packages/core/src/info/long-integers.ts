const LONG_DIGIT_RUN = /-?\d{16,}/g;

function isEscaped(text: string, quoteAt: number): boolean {
  let backslashes = 0;
  for (let i = quoteAt - 1; i >= 0 && text.charCodeAt(i) === 92; i--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Wraps every JSON integer literal that `JSON.parse` would round (beyond ±2^53) in quotes, so it survives parsing as its
 * exact decimal text. Digits inside strings and fractional or exponent numbers are left alone. One pass; the quote state
 * is only tracked up to candidate positions, so a document with no long literal costs one regex scan.
 *
 * @example
 * quoteUnsafeIntegers('{"system-id":7711603885232359767,"n":1}');
 * // '{"system-id":"7711603885232359767","n":1}'
 */
export function quoteUnsafeIntegers(text: string): string {
  LONG_DIGIT_RUN.lastIndex = 0;
  let match = LONG_DIGIT_RUN.exec(text);
  if (match === null) return text;

  const parts: string[] = [];
  let copiedUpTo = 0;
  let scannedUpTo = 0;
  let inString = false;
  while (match !== null) {
    const at = match.index;
    let quote = text.indexOf('"', scannedUpTo);
    while (quote !== -1 && quote < at) {
      if (!isEscaped(text, quote)) inString = !inString;
      quote = text.indexOf('"', quote + 1);
    }
    scannedUpTo = at;
    const literal = match[0];
    const before = text.charCodeAt(at - 1);
    const after = text.charCodeAt(at + literal.length);
    const isFractionOrExponent = before === 46 || after === 46 || after === 101 || after === 69;
    if (!inString && !isFractionOrExponent && !Number.isSafeInteger(Number(literal))) {
      parts.push(text.slice(copiedUpTo, at), '"', literal, '"');
      copiedUpTo = at + literal.length;
    }
    match = LONG_DIGIT_RUN.exec(text);
  }
  if (copiedUpTo === 0) return text;
  parts.push(text.slice(copiedUpTo));
  return parts.join('');
}
