const SECRET_NAME = /(CIPHER_PASS|_KEY|KEY_SECRET|_TOKEN|PASSPHRASE|SECRET|PASSWORD|ACCOUNT)$/i;

/**
 * Collects the values of secret-looking environment variables (cipher passphrases, S3 keys, tokens) so that output
 * can be scrubbed of them. Values shorter than four characters are ignored (they would scrub ordinary text).
 *
 * @example
 * ```ts
 * secretValues({ PGBACKREST_REPO1_CIPHER_PASS: 'hunter22' }); // ['hunter22']
 * ```
 */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined && value.length >= 4)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of each secret in `text` by `[redacted]`.
 *
 * @example
 * ```ts
 * redact('pass=hunter22', ['hunter22']); // "pass=[redacted]"
 * ```
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out;
}
