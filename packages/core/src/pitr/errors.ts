/**
 * A restore target that pgBackRest would refuse or misread: an offset-less time, a malformed LSN, an option that does
 * not go with the target type.
 *
 * @example
 * try { planRestore({ type: 'time', time: '2026-11-24 02:00' }, stanza); }
 * catch (error) { if (error instanceof RestoreTargetError) console.error(error.message); }
 */
export class RestoreTargetError extends Error {
  override readonly name: string = 'RestoreTargetError';
}

/**
 * A local target time that does not exist in its zone: it falls in a daylight-saving gap (clocks moved forward).
 *
 * @example
 * try { parseTargetTime('2026-03-08 02:30:00 America/Toronto'); }
 * catch (error) { if (error instanceof NonexistentLocalTimeError) console.error(error.zone, error.local); }
 */
export class NonexistentLocalTimeError extends RestoreTargetError {
  override readonly name = 'NonexistentLocalTimeError';
  readonly zone: string;
  readonly local: string;

  constructor(message: string, details: { zone: string; local: string }) {
    super(message);
    this.zone = details.zone;
    this.local = details.local;
  }
}

/**
 * A local target time that happens twice in its zone (daylight-saving overlap, clocks moved back). `choices` holds the
 * same local time with each offset, to pass instead.
 *
 * @example
 * try { parseTargetTime('2026-11-01 01:30:00 America/Toronto'); }
 * catch (error) { if (error instanceof AmbiguousLocalTimeError) console.error(error.choices); } // ['2026-11-01 01:30:00-04:00', '2026-11-01 01:30:00-05:00']
 */
export class AmbiguousLocalTimeError extends RestoreTargetError {
  override readonly name = 'AmbiguousLocalTimeError';
  readonly zone: string;
  readonly local: string;
  readonly choices: readonly string[];

  constructor(message: string, details: { zone: string; local: string; choices: readonly string[] }) {
    super(message);
    this.zone = details.zone;
    this.local = details.local;
    this.choices = details.choices;
  }
}

/**
 * The target lies outside what the repositories can restore, e.g. a time before the earliest restorable point.
 * Carries the window so a caller can offer the nearest possible target.
 *
 * @example
 * catch (error) { if (error instanceof RecoveryWindowError) console.error(error.earliest); }
 */
export class RecoveryWindowError extends Error {
  override readonly name = 'RecoveryWindowError';
  readonly earliest: Date | undefined;
  readonly latestBackupStop: Date | undefined;

  constructor(message: string, window: { earliest: Date | undefined; latestBackupStop: Date | undefined }) {
    super(message);
    this.earliest = window.earliest;
    this.latestBackupStop = window.latestBackupStop;
  }
}

/**
 * No backup set fits: an unknown `set`, an unknown `repo`, no backups at all, or no backup ending at or before an
 * LSN target.
 *
 * @example
 * catch (error) { if (error instanceof NoBackupForTargetError) console.error(error.message); }
 */
export class NoBackupForTargetError extends Error {
  override readonly name = 'NoBackupForTargetError';
}
