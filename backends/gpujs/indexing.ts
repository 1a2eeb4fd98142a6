// Index arithmetic shared by the GPU.js kernel sources (training.ts, architecture.ts).

/**
 * floor(q / d) for exact integers q and d > 0, as kernel source: GLSL computes in float32, where a quotient of exact
 * integers may land just below the integer it should be; flooring (q + 0.5) / d is exact for every |q| < 2^22.
 */
export const DIVIDE = (q: string, d: string) => `Math.floor((${q} + 0.5) / (${d}))`;
