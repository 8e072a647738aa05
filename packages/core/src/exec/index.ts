export type { ProcessRequest, ProcessResult } from './process.js';
export { runProcess } from './process.js';
