export { detectVersion } from './detect-version.js';
export { type PgBackRestVersion, parseVersion } from './parse-version.js';
