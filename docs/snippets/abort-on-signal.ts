import { createPgBackRest } from '@chronos/pgbackrest';

// Stop the backup with the process: SIGTERM aborts the call, which ends pgBackRest where it runs.
const pgbackrest = createPgBackRest({ stanza: 'chronos', transport: { kind: 'ssh', host: 'db1', user: 'postgres' } });
const controller = new AbortController();
process.once('SIGTERM', () => controller.abort());
await pgbackrest.backup({ type: 'diff' }, { signal: controller.signal });
