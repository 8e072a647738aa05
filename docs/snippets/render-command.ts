import { backupCommand, render } from '@chronos/pgbackrest';

// Build a command without running it: argv and env are data, secrets go to PGBACKREST_* env.
const command = backupCommand(
  { stanza: 'main', type: 'diff', 'repo1-cipher-pass': process.env.CHRONOS_REPO_CIPHER_PASS ?? '' },
  { version: '2.45' },
);

console.log(command.args); // ['--stanza=main', '--type=diff', 'backup']
console.log(render(command)); // PGBACKREST_REPO1_CIPHER_PASS=<redacted> pgbackrest --stanza=main --type=diff backup
