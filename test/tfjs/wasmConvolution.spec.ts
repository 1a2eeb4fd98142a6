// The wasm engine's convolution gradients (backends/tfjs/conv2dBackpropFilter.ts, conv2dBackpropInput.ts) and
// its 'same'-padding fix (wasmSamePadding.ts), reached through tf.grads of a conv2d as training reaches them.
//   L(x, W) = sum_{n,p,q,k} conv2d(x, W)[n, p, q, k] dy[n, p, q, k]
//   dL/dW[i, j, c, k] = sum_{n,p,q} xPad[n, p sh + i, q sw + j, c] dy[n, p, q, k]
//   dL/dx[n, r, s, c] = sum_{p,q,i,j,k: p sh + i = r + top, q sw + j = s + left} W[i, j, c, k] dy[n, p, q, k]
// (the chain rule through the convolution; Dumoulin & Visin 2016, "A guide to convolution arithmetic", sec. 4).
// 1. Exactly, on small-integer data: L is linear in W and in x, so a central difference with step 1 is the
//    derivative with no truncation error, and every partial sum is an integer below 2^24, so float32 computes
//    it without rounding. Any indexing error (stride, padding, transposition, flip) changes the integers. The
//    differences use the wasm engine's own forward conv2d, which this spec found wrong for some 'same' paddings.
// 2. On real-valued data, against float64 sums and against the tfjs cpu engine's own kernels, within the
//    dot-product bound gamma_m sum |a| |b| (m terms per entry).

import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../backends/tfjs/engines.js';
import type { TF } from '../../backends/tfjs/types.js';
import { SpecContext } from '../../src/speckit/context.js';
import { checkSeed, suiteSeedFromEnv } from '../../src/speckit/seed.js';
import { dotProductRoundings } from '../../src/speckit/tolerance.js';
import { tfjsSelected } from './selection.js';

type Padding = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  fh: number;
  fw: number;
  strides: [number, number];
  pad: Padding;
  /** Integer data in [-3, 3] (exact case) or float32 values in [-1, 1]. */
  integers: boolean;
  seed: number;
}

const caseArbitrary = (integers: boolean): fc.Arbitrary<ConvCase> =>
  fc
    .record({
      n: fc.integer({ min: 1, max: 2 }),
      cin: fc.integer({ min: 1, max: 3 }),
      cout: fc.integer({ min: 1, max: 3 }),
      fh: fc.integer({ min: 1, max: 3 }),
      fw: fc.integer({ min: 1, max: 3 }),
      extraH: fc.integer({ min: 0, max: 5 }),
      extraW: fc.integer({ min: 0, max: 5 }),
      strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      pad: fc.oneof(
        fc.constant<Padding>('same'),
        fc.constant<Padding>('valid'),
        fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)).map(
          ([a, b, c, d]): Padding => [
            [0, 0],
            [a, b],
            [c, d],
            [0, 0],
          ],
        ),
      ),
      seed: fc.nat(),
    })
    .map(({ extraH, extraW, ...c }) => ({ ...c, h: c.fh + extraH, w: c.fw + extraW, integers }));

/** Deterministic data for a case: a small linear congruential sequence, integers or float32 values. */
function values(c: ConvCase, salt: number, length: number): Float32Array {
  let state = (c.seed ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return c.integers ? (state % 7) - 3 : Math.fround(state / 2 ** 31 - 1);
  });
}

function inputs(tf: TF, c: ConvCase) {
  const info = tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.cin],
    [c.fh, c.fw, c.cin, c.cout],
    c.strides,
    1,
    c.pad,
  );
  const dyShape = [c.n, info.outHeight, info.outWidth, c.cout] as const;
  return {
    info,
    x: values(c, 0, c.n * c.h * c.w * c.cin),
    filter: values(c, 1, c.fh * c.fw * c.cin * c.cout),
    dy: values(
      c,
      2,
      dyShape.reduce((a, b) => a * b),
    ),
    dyShape: [...dyShape],
  };
}

/** dL/dW and dL/dx by tf.grads on the given engine: the path training takes. */
async function gradients(tf: TF, engine: string, c: ConvCase): Promise<{ filter: Float32Array; x: Float32Array }> {
  await tf.setBackend(engine);
  const { x, filter, dy, dyShape } = inputs(tf, c);
  return tf.tidy(() => {
    const dyt = tf.tensor(dy, dyShape);
    const loss = (xt: Tensor4D, f: Tensor4D) => tf.sum(tf.mul(tf.conv2d(xt, f, c.strides, c.pad), dyt));
    const [dx, dw] = tf.grads(loss as (...args: Tensor[]) => Tensor)([
      tf.tensor4d(x, [c.n, c.h, c.w, c.cin]),
      tf.tensor4d(filter, [c.fh, c.fw, c.cin, c.cout]),
    ]);
    return { filter: dw.dataSync() as Float32Array, x: dx.dataSync() as Float32Array };
  });
}

/** conv2d(x, W) on the active engine. */
const forward = (tf: TF, c: ConvCase, x: Float32Array, filter: Float32Array) =>
  tf.tidy(() =>
    tf
      .conv2d(
        tf.tensor4d(x, [c.n, c.h, c.w, c.cin]),
        tf.tensor4d(filter, [c.fh, c.fw, c.cin, c.cout]),
        c.strides,
        c.pad,
      )
      .dataSync(),
  );

/** L(x, W) = sum conv2d(x, W) dy with the convolution on the active engine and the sum in float64. */
function loss(tf: TF, c: ConvCase, x: Float32Array, filter: Float32Array): number {
  const { dy } = inputs(tf, c);
  const y = forward(tf, c, x, filter);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] * dy[i];
  return sum;
}

interface Float64Gradient {
  value: Float64Array;
  /** Per entry: sum of |product| over its terms. */
  scale: Float64Array;
  /** The most terms any entry sums. */
  terms: number;
}

/** Both gradients summed in float64, with their scales. */
function float64Gradients(tf: TF, c: ConvCase): { filter: Float64Gradient; x: Float64Gradient } {
  const { info, x, filter, dy } = inputs(tf, c);
  const { top, left } = info.padInfo;
  const dw = {
    value: new Float64Array(filter.length),
    scale: new Float64Array(filter.length),
    terms: c.n * info.outHeight * info.outWidth,
  };
  const dx = { value: new Float64Array(x.length), scale: new Float64Array(x.length), terms: c.fh * c.fw * c.cout };
  for (let n = 0; n < c.n; n++)
    for (let p = 0; p < info.outHeight; p++)
      for (let q = 0; q < info.outWidth; q++)
        for (let i = 0; i < c.fh; i++)
          for (let j = 0; j < c.fw; j++) {
            const row = p * c.strides[0] + i - top;
            const col = q * c.strides[1] + j - left;
            if (row < 0 || row >= c.h || col < 0 || col >= c.w) continue;
            for (let ci = 0; ci < c.cin; ci++)
              for (let k = 0; k < c.cout; k++) {
                const xi = ((n * c.h + row) * c.w + col) * c.cin + ci;
                const wi = ((i * c.fw + j) * c.cin + ci) * c.cout + k;
                const dv = dy[((n * info.outHeight + p) * info.outWidth + q) * c.cout + k];
                dw.value[wi] += x[xi] * dv;
                dw.scale[wi] += Math.abs(x[xi] * dv);
                dx.value[xi] += filter[wi] * dv;
                dx.scale[xi] += Math.abs(filter[wi] * dv);
              }
          }
  return { filter: dw, x: dx };
}

/** (L(a + e_i) - L(a - e_i)) / 2 for the entries i of `a` listed. */
function centralDifferences(a: Float32Array, entries: number[], lossOf: (a: Float32Array) => number): number[] {
  return entries.map((e) => {
    const plus = Float32Array.from(a);
    const minus = Float32Array.from(a);
    plus[e] += 1;
    minus[e] -= 1;
    return (lossOf(plus) - lossOf(minus)) / 2;
  });
}

/** Every entry of a small tensor, about 16 spread over a larger one. */
const sampleEntries = (length: number) =>
  Array.from({ length: Math.min(length, 16) }, (_, i) => Math.floor((i * length) / Math.min(length, 16)));

const context = (name: string) =>
  new SpecContext(checkSeed(suiteSeedFromEnv(), `tfjs wasm convolution > ${name}`), 'float32');

describe.skipIf(!tfjsSelected)(
  'tfjs wasm engine: convolution gradients built from conv2d, and conv2d with padding same',
  async () => {
    const { tf } = await loadEngine('wasm');
    await loadEngine('cpu');

    it('the gradients equal the exact central differences of the wasm conv2d, and the cpu engine, on integer data', async () => {
      const ctx = context('integers');
      await fc.assert(
        fc.asyncProperty(caseArbitrary(true), async (c) => {
          const wasm = await gradients(tf, 'wasm', c);
          const cpu = await gradients(tf, 'cpu', c);
          const { x, filter } = inputs(tf, c);
          const cpuForward = Array.from(forward(tf, c, x, filter));
          await tf.setBackend('wasm');
          expect(Array.from(forward(tf, c, x, filter))).toEqual(cpuForward);
          const filterEntries = filter.map((_, i) => i);
          expect(Array.from(wasm.filter)).toEqual(
            centralDifferences(filter, Array.from(filterEntries), (w) => loss(tf, c, x, w)),
          );
          const xEntries = sampleEntries(x.length);
          expect(xEntries.map((e) => wasm.x[e])).toEqual(
            centralDifferences(x, xEntries, (xi) => loss(tf, c, xi, filter)),
          );
          expect(Array.from(wasm.filter)).toEqual(Array.from(cpu.filter));
          expect(Array.from(wasm.x)).toEqual(Array.from(cpu.x));
        }),
        ctx.fastCheck(40),
      );
    });

    it('the gradients agree with float64 sums and with the cpu engine within the dot-product bound on real data', async () => {
      const ctx = context('reals');
      await fc.assert(
        fc.asyncProperty(caseArbitrary(false), async (c) => {
          const wasm = await gradients(tf, 'wasm', c);
          const cpu = await gradients(tf, 'cpu', c);
          const exact = float64Gradients(tf, c);
          for (const which of ['filter', 'x'] as const) {
            const e = exact[which];
            const shape = [e.value.length];
            const roundings = dotProductRoundings(e.terms);
            const d = which === 'filter' ? 'dL/dW' : 'dL/dx';
            ctx.expectClose({
              what: `wasm ${d} vs float64`,
              actual: { shape, data: wasm[which] },
              expected: e.value,
              scale: e.scale,
              roundings,
              shape,
            });
            ctx.expectClose({
              what: `cpu engine ${d} vs float64`,
              actual: { shape, data: cpu[which] },
              expected: e.value,
              scale: e.scale,
              roundings,
              shape,
            });
            // Both sides carry their own rounding error: the bound doubles.
            ctx.expectClose({
              what: `wasm vs cpu engine ${d}`,
              actual: { shape, data: wasm[which] },
              expected: cpu[which],
              scale: e.scale,
              roundings: 2 * roundings,
              shape,
            });
          }
        }),
        ctx.fastCheck(60),
      );
      const worst = new Map<string, number>();
      for (const r of ctx.records)
        if (r.kind === 'accuracy') worst.set(r.what, Math.max(worst.get(r.what) ?? 0, r.worstErrorToBound));
      console.info(
        `worst error / bound: ${[...worst].map(([what, ratio]) => `${what} ${ratio.toFixed(3)}`).join('; ')}`,
      );
    });
  },
);
