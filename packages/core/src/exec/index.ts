export {
  type ExecuteOptions,
  type ExecuteResult,
  execute,
  executeStream,
  type StreamingRun,
} from './executor.js';
export { type LogEvent, type LogLevel, parseLogLines } from './log-events.js';
export type {
  DockerTransport,
  LocalTransport,
  RunAs,
  SshTransport,
  Transport,
} from './transport.js';
