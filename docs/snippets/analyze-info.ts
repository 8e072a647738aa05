import { readFile } from 'node:fs/promises';
import { analyzeInfo, parseInfo, systemIdToBigInt } from '@chronos/pgbackrest';

// `pgbackrest info --output=json` saved to a file: parsed losslessly (system-id keeps all 64 bits).
const info = parseInfo(await readFile('info.json', 'utf8'));
const analysis = analyzeInfo(info, { now: new Date() });

for (const stanza of analysis.stanzas) {
  const database = stanza.databases.at(-1);
  console.log(stanza.name, database && systemIdToBigInt(database.systemId));
  for (const repo of stanza.repositories) {
    for (const chain of repo.chains) {
      console.log(`  repo${repo.key} chain ${chain.full.label}: ${chain.dependents.length} dependent backup(s)`);
    }
    console.log(
      `  repo${repo.key} recovery window from`,
      repo.recoveryWindow.earliest,
      'to',
      repo.recoveryWindow.newestWal,
    );
  }
}
