import '../../backends/index.js';
import { selectedBackendNames } from '../../src/speckit/selection.js';

/** The tfjs-specific specs run when DIFFSPEC_BACKENDS selects a tfjs backend (or is unset, selecting all). */
export const tfjsSelected = selectedBackendNames().some((name) => name.split(':')[0] === 'tfjs');
