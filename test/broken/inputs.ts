import { cpuKernels } from '../../backends/cpu/kernels.js';
import { broken, type CheckName } from './broken.js';

const NAMES_THE_FIELD: CheckName = 'inputs > invalid arguments throw an error that names the field';

export const brokenInputs = [
  broken(
    'unchecked-timesteps',
    'q_sample indexes the tables with any t: t = 0 or T + 1 give silent garbage',
    NAMES_THE_FIELD,
    {
      async qSample({ schedule: s, x0, noise, t }) {
        return cpuKernels.linear([
          { x: x0, coef: Float64Array.from(t, (u) => Math.sqrt(s.alphaBar[u])) },
          { x: noise, coef: Float64Array.from(t, (u) => Math.sqrt(s.oneMinusAlphaBar[u])) },
        ]);
      },
    },
  ),
];
