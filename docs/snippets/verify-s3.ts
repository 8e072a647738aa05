import { exitCodeFor, summarizeReport, verifyRepository } from '@chronos/s3-verify';

// Reads the bucket itself (never runs pgBackRest); credentials from the AWS SDK default chain.
const report = await verifyRepository({
  bucket: 'project-chronos-backups',
  region: 'ca-central-1',
  repoPath: '/chronos',
  cipherPassphrase: { env: 'CHRONOS_REPO_CIPHER_PASS' },
});

console.log(summarizeReport(report));
for (const finding of report.findings.filter((f) => f.severity === 'error'))
  console.error(finding.code, finding.message);
process.exitCode = exitCodeFor(report);
