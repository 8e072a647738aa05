import { E2E_IMAGES } from './e2e-steps.js';
import { endToEnd } from './e2e-suite.js';

await endToEnd(E2E_IMAGES[1]);
