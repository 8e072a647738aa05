// info at scale: parseInfo + analyzeInfo against a bare JSON.parse of the same text, on a synthetic
// `info --output=json` of 10 stanzas x 2 repositories x 5,000 backups shaped like a real 2.45 recording
// (packages/core/test/fixtures/recorded/2.45/info.json).
import { analyzeInfo, parseInfo } from '@chronos/pgbackrest';
import { bySize, cpuTime, emit, interleave, isFull, log } from '../lib/measure.js';

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
/** Segment `n` of timeline 1 with 16 MiB segments. */
const wal = (n: number) => `00000001${hex8(Math.floor(n / 256))}${hex8(n % 256)}`;
const lsn = (segment: number, offset: number) =>
  `${Math.floor(segment / 256)
    .toString(16)
    .toUpperCase()}/${((segment % 256) * 0x1000000 + offset).toString(16).toUpperCase()}`;

function label(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** Hourly backups: a full each week, a diff each day, incrementals between; WAL advancing four segments an hour. */
function buildDocument(stanzas: number, repos: number, backupsPerRepo: number): string {
  const start = 1_700_000_000;
  const out: unknown[] = [];
  for (let s = 0; s < stanzas; s++) {
    const backup: unknown[] = [];
    for (let r = 1; r <= repos; r++) {
      let full = '';
      let diff = '';
      let prior = '';
      for (let i = 0; i < backupsPerRepo; i++) {
        const t = start + i * 3600 + r * 60;
        const type = i % 168 === 0 ? 'full' : i % 24 === 0 ? 'diff' : 'incr';
        const own = label(t);
        const name = type === 'full' ? `${own}F` : `${full}_${own}${type === 'diff' ? 'D' : 'I'}`;
        const segment = 3 + i * 4;
        const size = 23_959_302 + i * 8192;
        const repoSize = type === 'full' ? 3_242_416 : 412_000 + (i % 97) * 1024;
        backup.push({
          archive: { start: wal(segment), stop: wal(segment + 1) },
          backrest: { format: 5, version: '2.45' },
          database: { id: 1, 'repo-key': r },
          error: false,
          info: {
            delta: type === 'full' ? size : 1_204_224,
            repository: { delta: repoSize, size: repoSize },
            size,
          },
          label: name,
          lsn: { start: lsn(segment, 0x28), stop: lsn(segment + 1, 0x88) },
          prior: type === 'full' ? null : type === 'diff' ? full : prior,
          reference:
            type === 'full' ? null : type === 'diff' ? [full] : [...new Set([full, diff, prior].filter(Boolean))],
          timestamp: { start: t, stop: t + 15 },
          type,
        });
        if (type === 'full') {
          full = name;
          diff = '';
        } else if (type === 'diff') diff = name;
        prior = name;
      }
    }
    const last = 3 + backupsPerRepo * 4;
    out.push({
      archive: Array.from({ length: repos }, (_, r) => ({
        database: { id: 1, 'repo-key': r + 1 },
        id: '15-1',
        max: wal(last),
        min: wal(1),
      })),
      backup,
      cipher: 'mixed',
      db: Array.from({ length: repos }, (_, r) => ({ id: 1, 'repo-key': r + 1, 'system-id': 'SYSID', version: '15' })),
      name: `stanza${s}`,
      repo: Array.from({ length: repos }, (_, r) => ({
        cipher: r === 0 ? 'aes-256-cbc' : 'none',
        key: r + 1,
        status: { code: 0, message: 'ok' },
      })),
      status: { code: 0, lock: { backup: { held: false } }, message: 'ok' },
    });
  }
  // A 64-bit system id above 2^53, written as pgBackRest writes it (a bare integer).
  return JSON.stringify(out).replaceAll('"SYSID"', '7711628266261344293');
}

const [stanzas, repos, backupsPerRepo] = bySize({ smoke: [1, 2, 50], quick: [10, 2, 5000], full: [10, 2, 5000] });
const shape = `${stanzas} stanzas x ${repos} repos x ${backupsPerRepo.toLocaleString('en')} backups`;
const text = buildDocument(stanzas, repos, backupsPerRepo);
const now = new Date((1_700_000_000 + backupsPerRepo * 3600) * 1000);
const parsed = parseInfo(text);
const analysis = analyzeInfo(parsed, { now });
log(`document ${(text.length / 1e6).toFixed(1)} MB, ${parsed.reduce((n, s) => n + s.backup.length, 0)} backups`);
void analysis;

const comparison = await interleave({
  name: `parseInfo + analyzeInfo vs JSON.parse (${shape})`,
  rounds: isFull ? 11 : 3,
  warmup: 1,
  baseline: () => cpuTime(() => JSON.parse(text)),
  subject: () => cpuTime(() => analyzeInfo(parseInfo(text), { now })),
  target: { max: 3 },
  note: 'CPU time of this process (user + system), not wall time',
});
const parseOnly = isFull
  ? [
      await interleave({
        name: 'parseInfo alone vs JSON.parse',
        rounds: 11,
        warmup: 1,
        baseline: () => cpuTime(() => JSON.parse(text)),
        subject: () => cpuTime(() => parseInfo(text)),
        note: 'CPU time of this process (user + system)',
      }),
    ]
  : [];

emit({
  scenario: 'info-scale',
  comparisons: [comparison, ...parseOnly],
  figures: [
    { name: 'document size', value: Math.round(text.length / 1e5) / 10, unit: 'MB' },
    { name: 'backups', value: stanzas * repos * backupsPerRepo },
  ],
  notes: [
    'in one process, same document, baseline and subject alternate each round; ratio = median of per-round ratios',
  ],
});
