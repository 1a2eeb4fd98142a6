import { brokenArchitectures } from './architectures.js';
import { brokenBlindSpots } from './blindspots.js';
import type { BrokenBackend } from './broken.js';
import { brokenDenoiser } from './denoiser.js';
import { brokenEmbedding } from './embedding.js';
import { brokenForward } from './forward.js';
import { brokenInputs } from './inputs.js';
import { brokenLoops } from './loops.js';
import { brokenLoss } from './loss.js';
import { brokenMemory } from './memory.js';
import { brokenNoise } from './noise.js';
import { brokenPosterior } from './posterior.js';
import { brokenUnderProfiles } from './profiles.js';
import { brokenReverse } from './reverse.js';
import { brokenSampling } from './sampling.js';
import { brokenSchedules } from './schedules.js';
import { brokenTraining } from './training.js';

/** Every deliberately broken backend, one real-world bug each. */
export const BROKEN_BACKENDS: BrokenBackend[] = [
  ...brokenSchedules,
  ...brokenForward,
  ...brokenNoise,
  ...brokenPosterior,
  ...brokenReverse,
  ...brokenSampling,
  ...brokenLoss,
  ...brokenEmbedding,
  ...brokenInputs,
  ...brokenTraining,
  ...brokenMemory,
  ...brokenLoops,
  ...brokenBlindSpots,
  ...brokenArchitectures,
  ...brokenUnderProfiles,
  ...brokenDenoiser,
];
