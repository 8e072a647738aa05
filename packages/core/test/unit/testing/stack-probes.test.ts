import { describe, expect, it } from 'vitest';
import { probeNativeStack } from '../../../src/testing/index.js';

describe('probeNativeStack', () => {
  it('names each missing PostgreSQL program and how to get it', async () => {
    const probe = await probeNativeStack('/nonexistent/bin');
    expect(probe.available).toBe(false);
    expect(probe.reason).toContain('no /nonexistent/bin/initdb (apt-get install -y postgresql-15)');
    expect(probe.reason).toContain('no /nonexistent/bin/psql');
  });

  it('says when the user to run PostgreSQL as does not exist', async () => {
    const probe = await probeNativeStack('/nonexistent/bin', 'no-such-user-chronos');
    expect(probe.reason).toContain("no 'no-such-user-chronos' user");
  });
});
