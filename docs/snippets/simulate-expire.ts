import { readFile } from 'node:fs/promises';
import { analyzeInfo, parseInfo, type RetentionPolicy, simulateExpire } from '@chronos/pgbackrest';

// What would `expire` remove if it ran now with 7-day time-based full retention?
const info = parseInfo(await readFile('info.json', 'utf8'));
const now = new Date();
const repo = analyzeInfo(info, { now }).stanzas[0]?.repositories[0];
if (repo === undefined) throw new Error('no repository in info.json');

const weekly: RetentionPolicy = { full: 7, fullType: 'time', diff: 6 };
const plan = simulateExpire(repo, weekly, { now, walSegmentSize: 16 * 1024 * 1024 });

for (const step of plan.expired) console.log(step.explanation);
console.log('kept:', plan.retainedLabels.join(', '));
for (const note of plan.notes) console.log('note:', note);
