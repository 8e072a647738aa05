export { verifyReportSchema } from './report-schema.js';
export { parseVerifyConfig, type VerifyConfig, verifyConfigSchema } from './verify-config.js';
