// Measures parseInfo + analyzeInfo against a bare JSON.parse on a large synthetic info document
// (10 stanzas x 2 repositories x 5,000 backups, built from the shape of a real 2.45 recording).
// Run: node_modules/.bin/esbuild bench/info-parse.ts --bundle --platform=node --format=esm \
//        --conditions=@chronos/source --outfile=.cache/bench/info-parse.mjs && node .cache/bench/info-parse.mjs
import { analyzeInfo, parseInfo } from '@chronos/pgbackrest';

function label(i: number): string {
  const d = new Date(Date.UTC(2020, 0, 1) + i * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}0000`;
}

function wal(n: number): string {
  return `00000001${n.toString(16).toUpperCase().padStart(8, '0')}000000${(n % 256).toString(16).toUpperCase().padStart(2, '0')}`;
}

function buildDocument(stanzas: number, repos: number, backupsPerRepo: number): string {
  const out: unknown[] = [];
  for (let s = 0; s < stanzas; s++) {
    const backup: unknown[] = [];
    for (let r = 1; r <= repos; r++) {
      let full = '';
      let prior: string | null = null;
      for (let i = 0; i < backupsPerRepo; i++) {
        const isFull = i % 7 === 0;
        const own = label(i);
        const name: string = isFull ? `${own}F` : `${full}_${own}I`;
        if (isFull) full = name;
        const t = 1_577_836_800 + i * 3600;
        backup.push({
          archive: { start: wal(i), stop: wal(i) },
          backrest: { format: 5, version: '2.45' },
          database: { id: 1, 'repo-key': r },
          error: false,
          info: { delta: 85898929, repository: { delta: 6437440, size: 6437440 }, size: 85898929 },
          label: name,
          lsn: { start: '0/6000028', stop: '0/6000100' },
          prior: isFull ? null : prior,
          reference: isFull ? null : [full],
          timestamp: { start: t, stop: t + 7 },
          type: isFull ? 'full' : 'incr',
        });
        prior = name;
      }
    }
    out.push({
      archive: Array.from({ length: repos }, (_, r) => ({
        database: { id: 1, 'repo-key': r + 1 },
        id: '15-1',
        max: wal(backupsPerRepo),
        min: wal(0),
      })),
      backup,
      cipher: 'none',
      db: Array.from({ length: repos }, (_, r) => ({ id: 1, 'repo-key': r + 1, 'system-id': 'SYSID', version: '15' })),
      name: `stanza${s}`,
      repo: Array.from({ length: repos }, (_, r) => ({
        cipher: 'none',
        key: r + 1,
        status: { code: 0, message: 'ok' },
      })),
      status: { code: 0, lock: { backup: { held: false } }, message: 'ok' },
    });
  }
  return JSON.stringify(out).replaceAll('"SYSID"', '7711603885232359767');
}

function median(run: () => void, times = 7): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

const text = buildDocument(10, 2, 5000);
const now = new Date();
const bare = median(() => JSON.parse(text));
const full = median(() => analyzeInfo(parseInfo(text), { now }));
console.log(`document: ${(text.length / 1e6).toFixed(1)} MB, ${10 * 2 * 5000} backups`);
console.log(
  `JSON.parse: ${bare.toFixed(0)} ms; parseInfo + analyzeInfo: ${full.toFixed(0)} ms; ratio ${(full / bare).toFixed(2)}x (budget 3x)`,
);
