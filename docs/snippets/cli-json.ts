import type { JsonEnvelope } from '@chronos/cli';
import { runProcess } from '@chronos/pgbackrest';

// Scripts read `chronos --json`: one envelope on stdout, whatever the outcome; the exit code says which.
const run = await runProcess({ file: 'chronos', args: ['--stanza', 'main', 'status', '--json'], timeout: 60_000 });
const envelope = JSON.parse(run.stdout) as JsonEnvelope;

if ('error' in envelope) console.error(`${envelope.error.type}: ${envelope.error.message}`);
else console.log(envelope.result);
process.exitCode = envelope.exitCode;
