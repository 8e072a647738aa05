import { readFile, stat } from 'node:fs/promises';
import { lintConfig } from '@chronos/pgbackrest/config';

// Lint pgbackrest.conf as the pgBackRest release that will read it does, for every stanza and command.
const path = process.argv[2] ?? '/etc/pgbackrest/pgbackrest.conf';
const result = lintConfig(await readFile(path, 'utf8'), {
  version: '2.45',
  fileMode: (await stat(path)).mode,
  env: process.env, // secrets given as PGBACKREST_* variables count as present (only presence is checked)
});

for (const finding of result.findings) {
  console.log(`${path}:${finding.line}:${finding.column} ${finding.severity} ${finding.code} ${finding.message}`);
  console.log(`    fix: ${finding.fix}`);
}
process.exitCode = result.ok ? 0 : 1;
