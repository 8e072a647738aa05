import { z } from 'zod';

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const AWS_ACCESS_KEY_ID = /^(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}$/;
const SECRET_LOOKING_KEY = /(?:pass|password|passphrase|secret|token|key)$/i;

/**
 * Where a secret lives: the name of an environment variable or the path of a file holding it.
 * A policy never holds the secret itself.
 *
 * @example
 * const ref: SecretRef = { env: 'CHRONOS_REPO_CIPHER_PASS' };
 */
export type SecretRef = { env: string } | { file: string };

const REF_HINT = 'give a reference { "env": "VAR_NAME" } or { "file": "/absolute/path" }, never the secret itself';

/**
 * Zod schema of a {@link SecretRef}; rejects values that look like inline secrets.
 *
 * @example
 * secretRefSchema.parse({ env: 'CHRONOS_REPO_CIPHER_PASS' });
 */
export const secretRefSchema = z
  .strictObject(
    {
      env: z.string().optional().describe('Name of the environment variable that holds the secret.'),
      file: z.string().optional().describe('Absolute path of a file that holds the secret.'),
    },
    { error: `expected a secret reference: ${REF_HINT}` },
  )
  .superRefine((ref, ctx) => {
    const given = [ref.env, ref.file].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({ code: 'custom', message: `set exactly one of "env" or "file": ${REF_HINT}` });
      return;
    }
    if (ref.env !== undefined) {
      if (AWS_ACCESS_KEY_ID.test(ref.env)) {
        ctx.addIssue({
          code: 'custom',
          path: ['env'],
          message:
            'this looks like an AWS access key id, not a variable name: put the key in an environment variable and name the variable here',
        });
      } else if (!ENV_NAME.test(ref.env)) {
        ctx.addIssue({
          code: 'custom',
          path: ['env'],
          message:
            'not an environment variable name (upper-case letters, digits and _): if this is the secret itself, move it into a variable and name the variable here',
        });
      }
    }
    if (ref.file !== undefined && !ref.file.startsWith('/')) {
      ctx.addIssue({
        code: 'custom',
        path: ['file'],
        message:
          'not an absolute file path: if this is the secret itself, write it to a file readable only by the backup user and give its path',
      });
    }
  })
  .transform((ref): SecretRef => (ref.env !== undefined ? { env: ref.env } : { file: ref.file ?? '' }));

/**
 * Lists the paths of string values whose key names a secret (`…pass`, `…secret`, `…token`, `…key`):
 * such a value would be an inline secret.
 *
 * @example
 * findInlineSecrets({ encryption: { passphrase: 'hunter2' } }); // [['encryption', 'passphrase']]
 */
export function findInlineSecrets(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => findInlineSecrets(item, [...path, index]));
  }
  if (value === null || typeof value !== 'object') return [];
  const found: (string | number)[][] = [];
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'string' && SECRET_LOOKING_KEY.test(key)) found.push([...path, key]);
    else found.push(...findInlineSecrets(child, [...path, key]));
  }
  return found;
}

/**
 * Message for an inline secret found by {@link findInlineSecrets}.
 *
 * @example
 * findInlineSecrets(doc).map((path) => ({ path, message: INLINE_SECRET_MESSAGE }));
 */
export const INLINE_SECRET_MESSAGE = `looks like an inline secret: ${REF_HINT}`;
