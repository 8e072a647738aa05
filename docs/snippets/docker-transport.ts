import { createPgBackRest } from '@chronos/pgbackrest';

// The reference deployment: pgBackRest inside the `chronos-db` container, driven through `docker exec`.
// Secrets come from this process's environment and reach pgBackRest as PGBACKREST_* variables, never argv.
const pgbackrest = createPgBackRest({
  stanza: 'chronos',
  transport: { kind: 'docker', container: 'chronos-db', user: 'postgres' },
  options: {
    'repo1-cipher-pass': process.env.CHRONOS_REPO_CIPHER_PASS ?? '',
    'repo2-cipher-pass': process.env.CHRONOS_REPO_CIPHER_PASS ?? '',
    'repo2-s3-key': process.env.CHRONOS_S3_ACCESS_KEY_ID ?? '',
    'repo2-s3-key-secret': process.env.CHRONOS_S3_SECRET_ACCESS_KEY ?? '',
  },
  timeout: 2 * 60 * 60 * 1000,
  onLog: (event) => console.error(event.level, event.message),
});

await pgbackrest.backup({ type: 'diff' });
