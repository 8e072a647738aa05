// s3-verify's deep verification (every backup file and WAL segment read, decrypted, decompressed and
// hashed) of a posix repository (`posix <path>`) or an S3 one (`s3 <url> <caFile> <bucket> <repoPath>`),
// with `concurrency` reads at once. Prints its wall time from here on (`ms`; the runner times the whole process), the
// CPU time of the whole process (start-up and module loading included), its peak RSS and what it found.
// The repository passphrase, when there is one, comes from CHRONOS_BENCH_CIPHER_PASS; CHRONOS_BENCH_DEEP_PROOF=stored
// proves backup files by their stored bytes (`deepProof: 'stored'`, what `pgbackrest verify` does).
import { readFileSync } from 'node:fs';
import { verifyRepository } from '@chronos/s3-verify';

const [kind = '', ...rest] = process.argv.slice(2);
const cipher = process.env['CHRONOS_BENCH_CIPHER_PASS'];
const common = {
  deep: true,
  deepProof: process.env['CHRONOS_BENCH_DEEP_PROOF'] === 'stored' ? ('stored' as const) : ('content' as const),
  ...(cipher === undefined ? {} : { cipherPassphrase: { env: 'CHRONOS_BENCH_CIPHER_PASS' } }),
};
const started = performance.now();
let report: Awaited<ReturnType<typeof verifyRepository>>;
if (kind === 'posix') {
  const [path = '', concurrency = '8'] = rest;
  report = await verifyRepository({ path, concurrency: Number(concurrency), ...common });
} else {
  const [url = '', caFile = '', bucket = '', repoPath = '/', concurrency = '8'] = rest;
  report = await verifyRepository({
    bucket,
    region: 'ca-central-1',
    endpoint: url,
    tls: { caCert: readFileSync(caFile, 'utf8') },
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver on a loaded 2-core machine can stall longer than the default 30 s between bytes of a body.
    timeoutMs: 600_000,
    repoPath,
    concurrency: Number(concurrency),
    ...common,
  });
}
const ms = performance.now() - started;
const used = process.cpuUsage();
const stanza = report.stanzas[0];
process.stdout.write(
  `${JSON.stringify({
    ms,
    cpuMs: (used.user + used.system) / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    outcome: report.outcome,
    bytes: stanza?.bytes,
    files: stanza?.deep?.files,
    fileBytes: stanza?.deep?.fileBytes,
    segments: stanza?.deep?.segments,
    segmentBytes: stanza?.deep?.segmentBytes,
    findings: report.findings.map((f) => f.code),
  })}\n`,
);
