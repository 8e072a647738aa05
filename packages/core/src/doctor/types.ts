/** Verdict of one doctor check. */
export type DoctorStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One check of {@link runDoctor}: what was checked, what was found and, when not ok, how to fix it. */
export interface DoctorCheck {
  /** Stable identifier, e.g. `pgbackrest`, `postgres.database`, `archive.command`, `system-id`, `repo2`. */
  readonly id: string;
  readonly title: string;
  readonly status: DoctorStatus;
  /** What was found (values, times, pgBackRest's error). Never a secret. */
  readonly detail: string;
  /** What to do, when the status is warn or fail. */
  readonly fix?: string;
}

/** The result of {@link runDoctor}. */
export interface DoctorReport {
  readonly stanza: string;
  /** pgBackRest version found, when reachable. */
  readonly pgbackrestVersion?: string;
  readonly checks: readonly DoctorCheck[];
  /** `ok` when no check failed, `fail` when one did, `unreachable` when pgBackRest could not be run at all. */
  readonly verdict: 'ok' | 'fail' | 'unreachable';
}
