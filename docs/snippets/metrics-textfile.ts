import { rename, writeFile } from 'node:fs/promises';
import { createPgBackRest, renderMetrics } from '@chronos/pgbackrest';

// For node_exporter's textfile collector: write to a temporary file, then rename, so a scrape never sees half a file.
const pgbackrest = createPgBackRest({ stanza: 'main', transport: { kind: 'local', runAs: { user: 'postgres' } } });
const text = renderMetrics(await pgbackrest.info(), { now: new Date() });

const target = '/var/lib/node_exporter/textfile/pgbackrest.prom';
await writeFile(`${target}.tmp`, text);
await rename(`${target}.tmp`, target);
