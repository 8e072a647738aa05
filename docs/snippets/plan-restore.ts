import { analyzeInfo, createPgBackRest, planRestore, RecoveryWindowError } from '@chronos/pgbackrest';

const pgbackrest = createPgBackRest({ stanza: 'main', transport: { kind: 'local', runAs: { user: 'postgres' } } });
const stanza = analyzeInfo(await pgbackrest.info(), { now: new Date() }).stanzas[0];
if (stanza === undefined) throw new Error('stanza not found');

try {
  // Pick the repository and backup set pgBackRest would use, and refuse a target outside the recovery window.
  const plan = planRestore({ type: 'time', time: '2026-11-24T03:00:00-05:00', targetAction: 'promote' }, stanza);
  for (const note of plan.notes) console.log('note:', note);
  await pgbackrest.restore({ ...plan.options, delta: true, 'archive-mode': 'off' });
} catch (error) {
  if (error instanceof RecoveryWindowError) console.error(error.message);
  else throw error;
}
