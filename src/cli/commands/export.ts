import { writeFileAtomic } from '../../io/atomic.js';
import { scheduleTables } from '../../schedule/tables.js';
import { readCheckpointOption, weightsOption } from '../checkpoint-option.js';
import { defineCommand } from '../command.js';
import { option } from '../options.js';
import { oneOf, text } from '../values.js';

export const exportCommand = defineCommand({
  name: 'export',
  summary: "write a trained model's denoiser in another framework's format (ONNX)",
  description: `Writes the denoiser eps_theta(x, t) of a checkpoint as a standalone ONNX model (opset 17): the model's
forward pass traced into one graph with its weights, inputs x (float32, [N, C, H, W] or [N, D]) and t (int64 [N],
1..T), output eps, batch size N free. Any ONNX runtime loads it; diffspec sample --model-onnx samples it (image
models).`,
  options: {
    checkpoint: option(text('FILE|DIR'), {
      required: true,
      description: 'a checkpoint written by diffspec train, or its run folder',
    }),
    format: option(oneOf(['onnx']), { default: 'onnx', description: 'the format to write' }),
    weights: weightsOption,
    out: option(text('FILE'), { required: true, description: 'where to write the model' }),
  },
  exitStatus: { 0: 'the model was written', 1: 'the checkpoint cannot be read or its model cannot be exported' },
  examples: ['diffspec export --checkpoint run/ --format onnx --out model.onnx'],
  async run(options) {
    const { checkpoint, weights } = await readCheckpointOption(options.checkpoint, options.weights);
    const { exportDenoiser } = await import('../../../backends/ort/export.js');
    const { T } = scheduleTables(checkpoint.config.schedule);
    const bytes = await exportDenoiser(checkpoint.model, weights, T);
    await writeFileAtomic(options.out, bytes);
    process.stderr.write(
      `${checkpoint.model.architecture} denoiser (T = ${T}) as ONNX: ${options.out} (${bytes.length} bytes)\n`,
    );
    return 0;
  },
});
