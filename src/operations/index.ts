import { ddimReverseStep } from './ddimReverseStep.js';
import { ddimStep } from './ddimStep.js';
import { ddpmStep } from './ddpmStep.js';
import { forwardChain } from './forwardChain.js';
import { forwardStep } from './forwardStep.js';
import { lossSimple } from './lossSimple.js';
import type { AnyOperation } from './operation.js';
import { pMeanVariance } from './pMeanVariance.js';
import { qPosterior } from './qPosterior.js';
import { qSample } from './qSample.js';
import { randomNormal } from './randomNormal.js';
import { sampleDdim } from './sampleDdim.js';
import { sampleDdpm } from './sampleDdpm.js';
import { schedule } from './schedule.js';
import { timestepEmbedding } from './timestepEmbedding.js';

/**
 * Every operation of the contract, one module each (in the manner of tfjs-core's kernel_names.ts and its
 * per-kernel configs). The contract's methods, the composition from kernels, case files, `diffspec compare`
 * and the output guard all derive from this list; adding an operation is a module and a line here.
 */
export const OPERATIONS = [
  schedule,
  randomNormal,
  forwardStep,
  qSample,
  forwardChain,
  qPosterior,
  pMeanVariance,
  ddpmStep,
  ddimStep,
  ddimReverseStep,
  sampleDdpm,
  sampleDdim,
  lossSimple,
  timestepEmbedding,
] as const satisfies readonly AnyOperation[];

/** The table, as code that walks it sees it. */
export const ALL_OPERATIONS: readonly AnyOperation[] = OPERATIONS;
