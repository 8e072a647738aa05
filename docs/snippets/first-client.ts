import { analyzeInfo, createPgBackRest } from '@chronos/pgbackrest';

// pgBackRest runs locally as the postgres user; the version is asked from the binary once.
const pgbackrest = createPgBackRest({
  stanza: 'main',
  transport: { kind: 'local', runAs: { user: 'postgres' } },
});

const info = await pgbackrest.info();
const [stanza] = analyzeInfo(info, { now: new Date() }).stanzas;
if (stanza === undefined) throw new Error('no stanza "main" in this repository');

console.log(stanza.status.ok ? 'ok' : stanza.status.message);
console.log('restorable from', stanza.recoveryWindow.earliest?.toISOString() ?? 'nowhere yet');
for (const repo of stanza.repositories) {
  console.log(`repo${repo.key}: latest full ${repo.latest.full?.label ?? 'none'}`);
}
