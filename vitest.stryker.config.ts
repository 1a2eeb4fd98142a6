// The vitest set-up of `npm run mutation` (stryker.config.json): the spec groups and project tests that run on the
// float64 reference backend, which is the only backend whose code Stryker mutates.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Register the cpu backend only: loading TensorFlow.js and GPU.js for every mutant would double the run's time.
    alias: [
      {
        find: /^\.\.\/backends\/index\.js$/,
        replacement: fileURLToPath(new URL('./backends/cpu/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: [
      'spec/{schedules,forward,posterior,reverse,sampling,loops,loss,embedding,training,inputs,noise}.spec.ts',
      'spec/{random,respacing,schedule-oracle,schedule-tables}.spec.ts',
      'stryker.modules-load.spec.ts',
    ],
    // The machine may be loaded and the code instrumented: the per-check limit of src/speckit/vitest.ts is raised.
    env: { DIFFSPEC_BACKENDS: 'cpu', DIFFSPEC_CHECK_TIMEOUT_MS: '600000' },
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
