// Spelled out: V8 scans this form several times faster than `\d{16,}`.
const LONG_DIGIT_RUN = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d*(?![\d.eE])/g;

function isKeyChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 45 ||
    code === 95
  );
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

/** True when the literal at `at` is the value of an object key: `"key" : <literal>`, the key quote unescaped. */
function isObjectValue(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
  if (text.charCodeAt(i) !== 58) return false;
  i--;
  while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
  if (text.charCodeAt(i) !== 34) return false;
  i--;
  const keyEnd = i;
  while (i >= 0 && isKeyChar(text.charCodeAt(i))) i--;
  if (i === keyEnd || text.charCodeAt(i) !== 34) return false;
  return text.charCodeAt(i - 1) !== 92;
}

/**
 * Wraps every integer literal that `JSON.parse` would round (beyond ±2^53) and that is the value of an object key in
 * quotes, so it survives parsing as its exact decimal text. Keys must be made of letters, digits, `-` and `_` (all of
 * pgBackRest's are); digits inside strings, fractions and exponents are left alone. Why this is safe without tracking
 * string state: inside a JSON string a `"` is always escaped, so an unescaped `"key"` followed by `:` is always a key.
 * Cost: one regex scan; only the rare 16+ digit runs are inspected.
 *
 * @example
 * quoteUnsafeIntegers('{"system-id":7711603885232359767,"n":1}');
 * // '{"system-id":"7711603885232359767","n":1}'
 */
export function quoteUnsafeIntegers(text: string): string {
  LONG_DIGIT_RUN.lastIndex = 0;
  // String concatenation builds a rope that JSON.parse flattens once; Array#join is several times slower here.
  let out = '';
  let copiedUpTo = 0;
  for (let match = LONG_DIGIT_RUN.exec(text); match !== null; match = LONG_DIGIT_RUN.exec(text)) {
    const before = text.charCodeAt(match.index - 1);
    if ((before >= 48 && before <= 57) || before === 46) continue;
    const negative = before === 45;
    const at = negative ? match.index - 1 : match.index;
    const literal = negative ? `-${match[0]}` : match[0];
    if (!isObjectValue(text, at) || Number.isSafeInteger(Number(literal))) continue;
    out += `${text.slice(copiedUpTo, at)}"${literal}"`;
    copiedUpTo = at + literal.length;
  }
  return copiedUpTo === 0 ? text : out + text.slice(copiedUpTo);
}
