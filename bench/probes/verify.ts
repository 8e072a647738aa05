// s3-verify's verifyRepository on the bench repository. Prints wall time of the verification, the
// peak RSS of this process and what it found. An empty CA file argument means plain HTTP.
import { readFileSync } from 'node:fs';
import { verifyRepository } from '@chronos/s3-verify';

const [url = '', caFile = '', bucket = '', repoPath = '/', concurrency] = process.argv.slice(2);
const started = performance.now();
const report = await verifyRepository({
  bucket,
  region: 'ca-central-1',
  endpoint: url,
  ...(caFile === '' ? {} : { tls: { caCert: readFileSync(caFile, 'utf8') } }),
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  repoPath,
  walSegmentSize: 16 * 1024 * 1024,
  ...(concurrency === undefined ? {} : { concurrency: Number(concurrency) }),
});
const ms = performance.now() - started;
const stanza = report.stanzas[0] as Record<string, unknown> | undefined;
process.stdout.write(
  `${JSON.stringify({
    ms,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    outcome: report.outcome,
    objects: stanza?.['objects'],
    findings: report.findings.map((f) => f.code),
  })}\n`,
);
