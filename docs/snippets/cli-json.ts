import { spawnSync } from 'node:child_process';
import type { JsonEnvelope } from '@chronos/cli';

// Scripts read `chronos --json`: one envelope on stdout, whatever the outcome; the exit code says which.
const run = spawnSync('chronos', ['--stanza', 'main', 'status', '--json'], { encoding: 'utf8', timeout: 60_000 });
const envelope = JSON.parse(run.stdout) as JsonEnvelope;

if ('error' in envelope) console.error(`${envelope.error.type}: ${envelope.error.message}`);
else console.log(envelope.result);
process.exitCode = envelope.exitCode;
