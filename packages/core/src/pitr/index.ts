export {
  AmbiguousLocalTimeError,
  NoBackupForTargetError,
  NonexistentLocalTimeError,
  RecoveryWindowError,
  RestoreTargetError,
} from './errors.js';
export { planRestore, type RestorePlan } from './plan-restore.js';
export type {
  DefaultTarget,
  ImmediateTarget,
  LsnTarget,
  NameTarget,
  RestoreTarget,
  RestoreTargetOptions,
  StandbyTarget,
  TargetAction,
  TargetTimeline,
  TimeTarget,
  XidTarget,
} from './target.js';
export { formatTargetTime, parseTargetTime } from './target-time.js';
