/**
 * A restore target that pgBackRest would refuse or misread: an offset-less time, a malformed LSN, an option that does
 * not go with the target type.
 *
 * @example
 * try { planRestore({ type: 'time', time: '2026-11-24 02:00' }, stanza); }
 * catch (error) { if (error instanceof RestoreTargetError) console.error(error.message); }
 */
export class RestoreTargetError extends Error {
  override readonly name = 'RestoreTargetError';
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
