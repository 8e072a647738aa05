export { type ExpireLogEntry, parseExpireLog } from './expire-log.js';
export {
  type ArchiveRetentionType,
  type FullRetentionType,
  type RetentionPolicy,
  RetentionPolicyError,
  retentionFromOptions,
  retentionToOptions,
  validateRetentionPolicy,
} from './retention-policy.js';
export {
  type ExpiredSet,
  type ExpiredWalRange,
  type ExpireReason,
  type ExpireSimulation,
  type SimulateExpireOptions,
  simulateExpire,
} from './simulate-expire.js';
export { nextWalSegment, previousWalSegment } from './wal-segment.js';
