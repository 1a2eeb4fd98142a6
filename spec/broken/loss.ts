import { cpuBackend } from '../../backends/cpu/index.js';
import { broken } from './broken.js';

export const brokenLoss = [
  broken('loss-sums-instead-of-mean', 'L_simple sums the squared error over C, H, W instead of averaging', 'loss', {
    async lossSimple(args) {
      const r = await cpuBackend.lossSimple(args);
      const m = args.noise.data.length / args.noise.shape[0];
      return { perSample: { shape: r.perSample.shape, data: r.perSample.data.map((v) => v * m) }, loss: r.loss * m };
    },
  }),
];
