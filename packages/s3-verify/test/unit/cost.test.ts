import { describe, expect, it } from 'vitest';
import { estimateCost, S3_PRICE_TABLE, UnknownRegionError, usageFromListing } from '../../src/cost.js';
import { fixtureListing } from './fixtures.js';

const GIB = 1024 ** 3;

describe('estimateCost on recorded repositories (pgBackRest 2.45, full + diff / full + incr)', () => {
  for (const kind of ['plain', 'encrypted'] as const) {
    const listing = fixtureListing(kind);
    const usage = usageFromListing(listing, 'fx');

    it(`${kind}: reads the stanza's objects, WAL segments and backups from the listing`, () => {
      expect(usage.objects).toBe(listing.filter((o) => /^(archive|backup)\/fx\//.test(o.key)).length);
      expect(usage.bytes).toBe(listing.reduce((n, o) => n + o.size, 0));
      expect(usage.walSegments).toBe(listing.filter((o) => /\/[0-9A-F]{24}-[0-9a-f]{40}\.gz$/.test(o.key)).length);
      expect(usage.backups.map((b) => b.type)).toEqual(['full', kind === 'plain' ? 'diff' : 'incr']);
      expect(usage.backups[0]!.objects).toBe(968);
    });

    it(`${kind}: prices storage, WAL and backup PUTs at the observed rates, verification and one restore`, () => {
      const estimate = estimateCost(usage, { region: 'ca-central-1' });
      const prices = S3_PRICE_TABLE.regions['ca-central-1'];
      expect(estimate.pricesAsOf).toBe(S3_PRICE_TABLE.asOf);
      expect(estimate.storage.monthly).toBeCloseTo((usage.bytes / GIB) * prices.storagePerGibMonth, 6);
      const span = estimate.observedSeconds;
      expect(span).toBeGreaterThan(0);
      expect(span).toBeLessThan(60);
      expect(estimate.walSegmentsPerDay).toBeCloseTo((usage.walSegments / span) * 86_400, 3);
      expect(estimate.requests.walPuts).toBe(Math.round(estimate.walSegmentsPerDay * 30));
      expect(estimate.notes.some((n) => n.includes(`observed over ${span} s only`))).toBe(true);
      const [full, onTop] = usage.backups;
      expect(estimate.restoreEgress.bytes).toBe(full!.bytes + onTop!.bytes);
      expect(estimate.restoreEgress.cost).toBeCloseTo((estimate.restoreEgress.bytes / GIB) * prices.egressPerGib, 6);
      expect(estimate.monthly).toBeCloseTo(estimate.storage.monthly + estimate.requests.monthly, 5);
      expect(estimate.notes.filter((n) => n.startsWith('left out:')).length).toBeGreaterThanOrEqual(3);
    });
  }

  it('scales requests with the WAL rate, deep verification reads every object, regions differ', () => {
    const usage = usageFromListing(fixtureListing('plain'), 'fx');
    const base = estimateCost(usage, { region: 'ca-central-1', verificationsPerMonth: 0 });
    const busier = estimateCost(
      { ...usage, walSegments: usage.walSegments * 2 },
      { region: 'ca-central-1', verificationsPerMonth: 0 },
    );
    expect(busier.requests.walPuts).toBeCloseTo(base.requests.walPuts * 2, -1);
    const deep = estimateCost(usage, { region: 'ca-central-1', verificationsPerMonth: 4, deepVerification: true });
    expect(deep.requests.verificationGets).toBe(4 * usage.objects);
    expect(estimateCost(usage, { region: 'us-east-1' }).storage.monthly).toBeLessThan(base.storage.monthly);
    expect(() => estimateCost(usage, { region: 'mars-north-1' })).toThrow(UnknownRegionError);
    expect(() => estimateCost(usage, { region: 'mars-north-1' })).toThrow(/ca-central-1/);
  });

  it('says so when one backup leaves no rate to observe', () => {
    const usage = usageFromListing(
      fixtureListing('plain').filter((o) => !o.key.includes('_')),
      'fx',
    );
    const estimate = estimateCost(usage, { region: 'ca-central-1' });
    expect(estimate.requests.walPuts).toBe(0);
    expect(estimate.notes[0]).toMatch(/no WAL or backup rate/);
    expect(estimate.restoreEgress.bytes).toBe(usage.backups[0]!.bytes);
  });
});
