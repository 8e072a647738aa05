import { readFile } from 'node:fs/promises';
import { parseInfo } from '@chronos/pgbackrest';
import { compilePolicy, evaluatePolicy, isPolicyValidationError, parsePolicy } from '@chronos/pgbackrest/policy';

// A CI step: the policy must parse, compile for the pgBackRest version in production, and (given a recent
// `info --output=json` from production) meet its own objectives and the 3-2-1 rule.
try {
  const policy = parsePolicy(await readFile('chronos-policy.json', 'utf8'));
  compilePolicy(policy, { version: '2.45' });
  const info = parseInfo(await readFile('info.json', 'utf8'));
  const evaluation = evaluatePolicy(policy, info, { now: new Date() });
  for (const finding of evaluation.findings) console.log(`${finding.severity}: ${finding.message}`);
  process.exitCode = evaluation.status === 'critical' ? 1 : 0;
} catch (error) {
  if (!isPolicyValidationError(error)) throw error;
  for (const issue of error.issues) console.error(`${issue.path}: ${issue.message}`);
  process.exitCode = 2;
}
