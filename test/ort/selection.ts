import '../../backends/index.js';
import { selectedBackendNames } from '../../src/speckit/selection.js';

/** The ort-specific specs run when DIFFSPEC_BACKENDS selects an ort backend (or is unset, selecting all). */
export const ortSelected = selectedBackendNames().some((name) => name.split(':')[0] === 'ort');
