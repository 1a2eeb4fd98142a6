import type { KernelConfig, KernelFunc, NamedAttrMap, Tensor4D } from '@tensorflow/tfjs';
import type { TF } from './types.js';

/** The wasm kernels that hand padding 'same' to XNNPACK's own same-padding computation. */
const SAME_PADDING_KERNELS = ['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'] as const;

/**
 * TensorFlow.js 4.22's wasm engine returns all zeros from conv2d with padding 'same' whenever TensorFlow's
 * total padding (out - 1) stride + filter - in is negative along an axis (the input has rows no window
 * reaches), e.g. a 1x2 filter with stride 2 over 2 rows (14 of 324 small configurations; found by
 * test/tfjs/wasmConvolution.spec.ts). The wasm kernel passes 'same' on as a flag instead of the padding it
 * already computed; this wrapper passes the computed padding explicitly, which the kernels
 * handle correctly, and leaves every other call untouched.
 */
export function registerWasmSamePaddingFix(tf: TF): void {
  for (const kernelName of SAME_PADDING_KERNELS) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original || (original as { samePaddingFixed?: boolean }).samePaddingFixed) continue;
    const originalFunc = original.kernelFunc;
    const kernelFunc: KernelFunc = (args) => {
      if (args.attrs?.pad !== 'same') return originalFunc(args);
      const { x, filter } = args.inputs;
      if (!x || !filter) return originalFunc(args);
      const { strides, dilations } = args.attrs as {
        strides: number | [number, number];
        dilations: number | [number, number];
      };
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as Tensor4D['shape'],
        filter.shape as Tensor4D['shape'],
        strides,
        dilations ?? 1,
        'same',
      );
      const { top, bottom, left, right } = info.padInfo;
      const attrs: NamedAttrMap = {
        ...args.attrs,
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ] as unknown as NamedAttrMap[string],
      };
      return originalFunc({ ...args, attrs });
    };
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...original, kernelFunc, samePaddingFixed: true } as KernelConfig);
  }
}
