import type { TrainOptions } from '../contract/training.js';
import { requireInput } from '../errors.js';
import { checkSeed } from '../random/gaussian.js';

const finitePositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const inUnitInterval = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < 1;

export function checkTrainOptions(o: TrainOptions, field = 'options'): void {
  const a = o.adam;
  requireInput(a !== null && typeof a === 'object', `${field}.adam`, 'must be an object');
  requireInput(
    finitePositive(a.learningRate),
    `${field}.adam.learningRate`,
    `must be a finite number > 0, got ${JSON.stringify(a.learningRate)}`,
  );
  requireInput(inUnitInterval(a.beta1), `${field}.adam.beta1`, `must be in [0, 1), got ${JSON.stringify(a.beta1)}`);
  requireInput(inUnitInterval(a.beta2), `${field}.adam.beta2`, `must be in [0, 1), got ${JSON.stringify(a.beta2)}`);
  requireInput(
    finitePositive(a.epsilon),
    `${field}.adam.epsilon`,
    `must be a finite number > 0, got ${JSON.stringify(a.epsilon)}`,
  );
  if (o.clipGradNorm !== undefined)
    requireInput(
      finitePositive(o.clipGradNorm),
      `${field}.clipGradNorm`,
      `must be a finite number > 0, got ${JSON.stringify(o.clipGradNorm)}`,
    );
  if (o.emaDecay !== undefined)
    requireInput(
      inUnitInterval(o.emaDecay),
      `${field}.emaDecay`,
      `must be in [0, 1), got ${JSON.stringify(o.emaDecay)}`,
    );
  if (o.pUncond !== undefined)
    requireInput(
      typeof o.pUncond === 'number' && o.pUncond >= 0 && o.pUncond <= 1,
      `${field}.pUncond`,
      `must be in [0, 1], got ${JSON.stringify(o.pUncond)}`,
    );
  checkSeed(o.seed, `${field}.seed`);
}
