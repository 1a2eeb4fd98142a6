import type { TrainOptions } from '../contract/training.js';
import { keepsLabel } from '../equations/guidance.js';
import { requireInput } from '../errors.js';
import type { ModelSpec } from '../models/spec.js';
import { uniformValues } from '../random/uniform.js';

/** Class labels for a class-conditional model: one per batch item, integers 0..classes (classes: the null class). */
export function checkLabels(model: ModelSpec, labels: Int32Array, n: number, field = 'labels'): Int32Array {
  const classes = 'classes' in model ? model.classes : 0;
  requireInput(
    classes > 0,
    field,
    `are given, but this ${model.architecture} model is not class-conditional (classes = 0)`,
  );
  requireInput(labels.length === n, `${field}.length`, `must equal the batch size ${n}, got ${labels.length}`);
  labels.forEach((y, i) =>
    requireInput(
      Number.isInteger(y) && y >= 0 && y <= classes,
      `${field}[${i}]`,
      `must be an integer in 0..${classes} (${classes}: the null class), got ${y}`,
    ),
  );
  return labels;
}

/** The labels of trainer step k, each replaced by the null class when its uniform draw says so (keepsLabel). */
export function droppedLabels(model: ModelSpec, labels: Int32Array, options: TrainOptions, k: number): Int32Array {
  const pUncond = options.pUncond ?? 0;
  if (pUncond === 0) return labels;
  const n = labels.length;
  const u = uniformValues(options.seed, 2 * k, 2 * n).subarray(n);
  const nullClass = 'classes' in model ? model.classes : 0;
  return labels.map((y, i) => (keepsLabel(u[i], pUncond) ? y : nullClass));
}
