export {
  type ExecuteOptions,
  type ExecuteResult,
  execute,
  executeStream,
  type StreamingRun,
} from './executor.js';
export { type LogEvent, type LogLevel, LogLineParser, parseLogLines } from './log-events.js';
export type { ProcessRequest, ProcessResult } from './process.js';
export { runProcess } from './process.js';
export {
  type DockerTransport,
  dockerKillRequest,
  type LocalTransport,
  type RunAs,
  type SshTransport,
  type Transport,
  toProcessRequest,
} from './transport.js';
