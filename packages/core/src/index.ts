export type { ProcessRequest, ProcessResult } from './exec/process.js';
export { runProcess } from './exec/process.js';
