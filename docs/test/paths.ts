import { fileURLToPath } from 'node:url';

/** The repository root, as seen from the docs tests. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The checked snippet sources included into the Markdown. */
export const SNIPPETS_DIR = fileURLToPath(new URL('../snippets/', import.meta.url));
