import { cpuBackend } from '../../backends/cpu/index.js';
import { broken, type CheckName } from './broken.js';

const L_SIMPLE: CheckName = 'loss > L_simple is the per-sample mean squared error and the loss its batch mean';

export const brokenLoss = [
  broken('loss-sums-instead-of-mean', 'L_simple sums the squared error over C, H, W instead of averaging', L_SIMPLE, {
    async lossSimple(args) {
      const r = await cpuBackend.lossSimple(args);
      const m = args.noise.data.length / args.noise.shape[0];
      return { perSample: { shape: r.perSample.shape, data: r.perSample.data.map((v) => v * m) }, loss: r.loss * m };
    },
  }),
];
