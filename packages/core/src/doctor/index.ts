export {
  judgeArchiveCommand,
  judgeArchiveMode,
  judgeArchiver,
  judgeSystemId,
  type PostgresFacts,
  parsePostgresFacts,
  type RepositoryDatabase,
} from './judge.js';
export { type DoctorOptions, runDoctor } from './run-doctor.js';
export type { DoctorCheck, DoctorReport, DoctorStatus } from './types.js';
