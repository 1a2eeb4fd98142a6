import type { SpecGroup } from '../../src/speckit/check.js';
import { architecturesGroup } from './architectures.js';
import { denoiserGroup } from './denoiser.js';
import { embeddingGroup } from './embedding.js';
import { forwardGroup } from './forward.js';
import { guidanceGroup } from './guidance.js';
import { inputsGroup } from './inputs.js';
import { loopsGroup } from './loops.js';
import { lossGroup } from './loss.js';
import { memoryGroup } from './memory.js';
import { noiseGroup } from './noise.js';
import { posteriorGroup } from './posterior.js';
import { reverseGroup } from './reverse.js';
import { samplingGroup } from './sampling.js';
import { schedulesGroup } from './schedules.js';
import { trainingGroup } from './training.js';

/** Every spec group, in reading order. */
export const SPEC_GROUPS: SpecGroup[] = [
  schedulesGroup,
  forwardGroup,
  noiseGroup,
  posteriorGroup,
  reverseGroup,
  samplingGroup,
  loopsGroup,
  lossGroup,
  embeddingGroup,
  inputsGroup,
  trainingGroup,
  architecturesGroup,
  guidanceGroup,
  denoiserGroup,
  memoryGroup,
];
