// The models of the architectures benchmark at matched parameter counts: the seed's simple-conv (its width is fixed
// at 64) is the reference, and each other architecture keeps, among its candidate configurations, the one whose
// parameter count is nearest the reference's (nearest in ratio). The candidates share what the comparison holds
// fixed (the seed's `add` skips, two resolutions, one GroupNorm group so that any width is allowed, two heads, the
// ten classes); only the width (and the DiT's depth) is searched.
import { architectureOf, type ModelSpec } from '../src/models/spec.js';

/** The largest ratio max / min of the matched parameter counts the benchmark accepts. */
const MATCH_TOLERANCE = 1.1;
const range = (from: number, to: number, by = 1) =>
  Array.from({ length: Math.floor((to - from) / by) + 1 }, (_, i) => from + i * by);

export const parameterCount = (model: ModelSpec) =>
  architectureOf(model)
    .parameters(model)
    .reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);

/** The candidates of each architecture that is matched to the reference, for images of `size` and `classes`. */
function candidates(size: number, classes: number): ModelSpec[][] {
  const image = { channels: 1, height: size, width: size };
  const unets = (architecture: 'unet' | 'unet-attn') =>
    range(4, 32).map(
      (baseChannels): ModelSpec => ({
        architecture,
        ...image,
        baseChannels,
        levels: 2,
        skip: 'add',
        groups: 1,
        heads: 2,
        classes,
      }),
    );
  const dits = range(2, 6).flatMap((depth) =>
    range(8, 64, 4).map(
      (hidden): ModelSpec => ({ architecture: 'dit', ...image, patch: 2, depth, hidden, heads: 2, classes }),
    ),
  );
  return [unets('unet'), unets('unet-attn'), dits];
}

/** The reference (the seed's model, unconditional) and the matched models, in the table's order. */
export function matchedModels(size: number, classes: number): ModelSpec[] {
  const reference: ModelSpec = { architecture: 'simple-conv', channels: 1, height: size, width: size };
  const target = parameterCount(reference);
  const distance = (m: ModelSpec) => Math.abs(Math.log(parameterCount(m) / target));
  const matched = candidates(size, classes).map((family) =>
    family.reduce((best, m) => (distance(m) < distance(best) ? m : best)),
  );
  const models = [reference, ...matched];
  const counts = models.map(parameterCount);
  if (Math.max(...counts) / Math.min(...counts) > MATCH_TOLERANCE)
    throw new Error(
      `no candidate set matches within ${MATCH_TOLERANCE}x: ` +
        models.map((m, i) => `${m.architecture} ${counts[i]}`).join(', '),
    );
  return models;
}
