import { describe, expect, it } from 'vitest';
import { lastDrillSuccess, renderDrillMetrics } from '../../../src/drill/index.js';
import { evaluatePolicy, validatePolicy } from '../../../src/policy/index.js';
import { recordedLastStop, recordedTwoRepos, twoRepoPolicyInput } from '../support/recorded-two-repos.js';

const policy = validatePolicy(twoRepoPolicyInput({ maxDrillAge: '8d' }));
const now = new Date(recordedLastStop.getTime() + 3_600_000);
const drillCodes = (lastDrill?: Date | null) =>
  evaluatePolicy(policy, recordedTwoRepos, { now, ...(lastDrill === undefined ? {} : { lastDrillSuccess: lastDrill }) })
    .findings.filter((f) => f.code.startsWith('drill.'))
    .map((f) => `${f.severity}:${f.code}`);

describe('the drill objective', () => {
  it('passes with a recent proven drill, fails when it is older than allowed or never happened', () => {
    expect(drillCodes(new Date(now.getTime() - 86_400_000))).toEqual([]);
    expect(drillCodes(new Date(now.getTime() - 9 * 86_400_000))).toEqual(['critical:drill.too-old']);
    expect(drillCodes(null)).toEqual(['critical:drill.never']);
    expect(drillCodes()).toEqual(['info:drill.unknown']);
  });

  it("reads the newest success from the drill's metrics file or JSON report", () => {
    const stanza = recordedTwoRepos[0]!.name;
    const metrics = renderDrillMetrics(
      { stanza, repo: '2' },
      { lastSuccess: 1_764_640_000, durationSeconds: 9, checksFailed: 0 },
    );
    expect(lastDrillSuccess(metrics, { stanza })?.getTime()).toBe(1_764_640_000_000);
    expect(lastDrillSuccess(metrics, { stanza: 'other' })).toBeNull();
    const failed = renderDrillMetrics({ stanza, repo: '2' }, { durationSeconds: 9, checksFailed: 1 });
    expect(lastDrillSuccess(failed, { stanza })).toBeNull();
    const report = {
      kind: 'chronos-restore-drill',
      schemaVersion: 1,
      stanza,
      outcome: 'proven',
      finishedAt: '2026-12-01T06:00:00.000Z',
    };
    expect(lastDrillSuccess(JSON.stringify(report), { stanza })?.toISOString()).toBe('2026-12-01T06:00:00.000Z');
    const envelope = {
      schemaVersion: 1,
      command: 'drill',
      exitCode: 1,
      result: { ...report, outcome: 'check-failed' },
    };
    expect(lastDrillSuccess(JSON.stringify(envelope), { stanza })).toBeNull();
  });
});
