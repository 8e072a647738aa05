import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../exec/process.js';

/** A PEM key and certificate pair. */
export interface TlsCertificate {
  readonly key: string;
  readonly cert: string;
}

/**
 * Makes a throwaway self-signed certificate for 127.0.0.1 and localhost with `openssl`.
 *
 * @example
 * const { key, cert } = await createSelfSignedCertificate();
 */
export async function createSelfSignedCertificate(): Promise<TlsCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'chronos-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    const result = await runProcess({
      file: 'openssl',
      args: [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      timeout: 30_000,
    });
    if (result.exitCode !== 0) {
      throw new Error(
        `openssl could not create a test certificate: ${result.stderr.trim() || result.failedToSpawn?.message}`,
      );
    }
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
