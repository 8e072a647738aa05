/** What PostgreSQL does on reaching the target: pgBackRest `--target-action` (default `pause`). */
export type TargetAction = 'pause' | 'promote' | 'shutdown';

/** Timeline to follow: `current`, `latest` or a timeline number (`--target-timeline`). */
export type TargetTimeline = 'current' | 'latest' | number;

interface Selection {
  /** Backup set label to restore from (`--set`); by default the plan picks the one pgBackRest would. */
  readonly set?: string;
  /** Repository key (`--repo`); by default repositories are tried in key order, as pgBackRest does. */
  readonly repo?: number;
}

interface Action {
  readonly targetAction?: TargetAction;
}

interface Timeline {
  readonly timeline?: TargetTimeline;
}

interface Exclusive {
  /** Stop just before the target instead of just after it (`--target-exclusive`). */
  readonly exclusive?: boolean;
}

/** Recover to a moment. Strings must carry an explicit offset (`Z`, `+02:00`); offset-less text is refused. */
export interface TimeTarget extends Selection, Action, Timeline, Exclusive {
  readonly type: 'time';
  readonly time: Date | string;
}

/** Recover to a transaction id. */
export interface XidTarget extends Selection, Action, Timeline, Exclusive {
  readonly type: 'xid';
  readonly xid: number | bigint | string;
}

/** Recover to a WAL location such as `0/16B3740`. */
export interface LsnTarget extends Selection, Action, Timeline, Exclusive {
  readonly type: 'lsn';
  readonly lsn: string;
}

/** Recover to a restore point made with `pg_create_restore_point()`. */
export interface NameTarget extends Selection, Action, Timeline {
  readonly type: 'name';
  readonly name: string;
}

/** Recover only until the backup is consistent. */
export interface ImmediateTarget extends Selection, Action {
  readonly type: 'immediate';
}

/** Recover to the end of the archived WAL stream. */
export interface DefaultTarget extends Selection, Timeline {
  readonly type: 'default';
}

/** Restore as a standby (recovery continues, following the archive). */
export interface StandbyTarget extends Selection, Timeline {
  readonly type: 'standby';
}

/**
 * A restore target: what `pgbackrest restore --type … --target …` should reach. A discriminated union on `type`; each
 * member accepts only the options pgBackRest accepts with that type.
 *
 * @example
 * const target: RestoreTarget = { type: 'time', time: '2026-11-24T02:00:00+01:00', targetAction: 'promote' };
 */
export type RestoreTarget =
  | TimeTarget
  | XidTarget
  | LsnTarget
  | NameTarget
  | ImmediateTarget
  | DefaultTarget
  | StandbyTarget;

/**
 * Options for the restore command as plain records, keyed by pgBackRest option name. `target` carries an explicit UTC
 * offset for time targets.
 */
export interface RestoreTargetOptions {
  readonly type: RestoreTarget['type'];
  readonly target?: string;
  readonly 'target-action'?: TargetAction;
  readonly 'target-exclusive'?: boolean;
  readonly 'target-timeline'?: string;
  readonly set?: string;
  readonly repo?: number;
}
