import { clampedPosteriorVariance, fixedLargeVariance } from '../equations/variance.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { ConventionFlags } from './profile.js';

// Which equation (src/equations) or table entry each numeric choice of a profile picks; the formulas stay there.

/** beta~_t as the reverse process uses it: as is ('next-step'), or clamped at 1e-20 ('clamped'). */
export function reversePosteriorVariance(s: ScheduleTables, t: number, c: ConventionFlags): number {
  const v = s.posteriorVariance[t];
  return c.firstStepVariance === 'clamped' ? clampedPosteriorVariance(v) : v;
}

/** log beta~_t as fixed_small and learned_range use it: the clipped table (t = 1 takes t = 2's) or the clamped log. */
export function reversePosteriorLogVariance(s: ScheduleTables, t: number, c: ConventionFlags): number {
  return c.firstStepVariance === 'clamped'
    ? Math.log(reversePosteriorVariance(s, t, c))
    : s.posteriorLogVarianceClipped[t];
}

/** fixed_large's sigma_t^2. */
export function reverseFixedLargeVariance(s: ScheduleTables, t: number, c: ConventionFlags): number {
  return fixedLargeVariance(s.betas, s.posteriorVariance, t, c.firstStepVariance);
}

/** The timestep whose alpha-bar a DDIM step to tPrev targets: tPrev, except t = 0 under 'first-step' (timestep 1). */
export function ddimTargetTimestep(tPrev: number, c: ConventionFlags): number {
  return tPrev === 0 && c.ddimFinalAlphaBar === 'first-step' ? 1 : tPrev;
}
