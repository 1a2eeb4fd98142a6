// Shards of one conformance run merge only when they drove the same ONNX denoiser (--model-onnx), as they must share
// the suite seed and the filter: a merged report names one model.
import { describe, expect, it } from 'vitest';
import { DiffspecInputError } from '../src/errors.js';
import { mergeReports } from '../src/report/merge.js';
import type { ConformanceReport } from '../src/report/results.js';

const shard = (modelOnnx: string | undefined, shardName: string): ConformanceReport => ({
  run: {
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
    suiteSeed: 1,
    ...(modelOnnx ? { modelOnnx } : {}),
    groups: ['denoiser'],
    versions: { diffspec: '0', node: '0', vitest: '0' },
    backends: [{ name: 'cpu' }],
    shard: shardName,
  },
  results: [],
  errors: [],
});

describe('diffspec report --merge with --model-onnx', () => {
  it('keeps the model shards share and names the option when they differ', () => {
    const same = mergeReports([
      { dir: 'a', report: shard('m.onnx', '1/2') },
      { dir: 'b', report: shard('m.onnx', '2/2') },
    ]);
    expect(same.run.modelOnnx).toBe('m.onnx');
    const merge = () =>
      mergeReports([
        { dir: 'a', report: shard('m.onnx', '1/2') },
        { dir: 'b', report: shard(undefined, '2/2') },
      ]);
    expect(merge).toThrow(DiffspecInputError);
    expect(merge).toThrow(/--model-onnx/);
  });
});
