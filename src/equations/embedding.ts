// f_j = exp(-ln(maxPeriod) j / floor(dim / 2)), j = 0..floor(dim/2)-1; embedding(t) = [cos(t f) | sin(t f)] (+ a
// zero column for odd dim) (Vaswani et al. 2017, sec. 3.5, as used by improved-diffusion's timestep_embedding)
export function embeddingFrequencies(dim: number, maxPeriod: number): Float64Array {
  const half = Math.floor(dim / 2);
  const out = new Float64Array(half);
  for (let j = 0; j < half; j++) out[j] = Math.exp((-Math.log(maxPeriod) * j) / half);
  return out;
}
