// verifyRepository against the synthetic endpoint: wall time, peak RSS, findings.
import { verifyRepository } from '@chronos/s3-verify';

const [endpoint = 'http://127.0.0.1:9555', concurrency = '12'] = process.argv.slice(2);
const started = performance.now();
const report = await verifyRepository({
  bucket: 'bench',
  region: 'ca-central-1',
  endpoint,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  concurrency: Number(concurrency),
});
const ms = performance.now() - started;
const stanza = report.stanzas[0];
console.log(
  JSON.stringify({
    run: 'verify',
    concurrency: Number(concurrency),
    outcome: report.outcome,
    objects: stanza?.objects,
    segments: stanza?.archives[0]?.timelines[0]?.segments,
    segmentSize: stanza?.archives[0]?.segmentSize,
    findings: report.findings.map((f) => f.code),
    ms: Math.round(ms),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
