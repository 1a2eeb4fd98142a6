import { join } from 'node:path';
import type { DiffusionBackend } from '../contract/backend.js';
import { requireInput } from '../errors.js';
import { vegaLiteSvg } from '../figures/vega.js';
import { packageRoot } from '../paths.js';
import { gaussianTensor } from '../random/gaussian.js';
import type { ScheduleSpec } from '../schedule/spec.js';
import { checkTensor, sameShape, type Tensor } from '../tensor.js';

/** The image `diffspec forward` uses when given none (scripts/make-default-image.ts makes it). */
export const defaultImagePath = () => join(packageRoot(), 'assets', 'forward-default.png');

export interface ImageSize {
  width: number;
  height: number;
}

/** Reads a PNG or JPEG as a [1, 3, H, W] tensor scaled to [-1, 1] (the seed's x_0), resized when `size` is given. */
export async function loadImage(path: string, size?: ImageSize): Promise<Tensor> {
  const sharp = (await import('sharp')).default;
  let image = sharp(path).removeAlpha().toColourspace('srgb');
  if (size) image = image.resize(size.width, size.height, { fit: 'fill' });
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const x = new Float64Array(3 * width * height);
  for (let c = 0; c < 3; c++)
    for (let p = 0; p < width * height; p++) x[c * width * height + p] = (data[p * channels + c] / 255) * 2 - 1;
  return { shape: [1, 3, height, width], data: x };
}

/** A [1, 3, H, W] tensor in [-1, 1] (clipped) as a PNG. */
async function tensorToPng(x: Tensor): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  const [, channels, height, width] = x.shape;
  const pixels = Buffer.alloc(3 * width * height);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < width * height; p++) {
      const v = x.data[(channels === 3 ? c : 0) * width * height + p];
      pixels[p * 3 + c] = Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export interface ForwardFramesArgs {
  backend: DiffusionBackend;
  x0: Tensor;
  schedule: ScheduleSpec;
  steps: readonly number[];
  seed: number;
  /** Draw x_t directly from q(x_t | x_0) (one shared noise draw, stream 0) instead of running the chain. */
  closedForm?: boolean;
}

/** x_t at each requested step: the backend's Markov chain (forwardChain), or its closed form (qSample). */
export async function forwardFrames({
  backend,
  x0,
  schedule,
  steps,
  seed,
  closedForm = false,
}: ForwardFramesArgs): Promise<{ t: number; x: Tensor }[]> {
  const tables = await backend.schedule(schedule);
  steps.forEach((t, i) =>
    requireInput(
      Number.isInteger(t) && t >= 0 && t <= tables.T,
      `steps[${i}]`,
      `must be an integer in 0..${tables.T}, got ${t}`,
    ),
  );
  let frames: { t: number; x: Tensor | undefined }[];
  if (!closedForm) {
    const { recorded } = await backend.forwardChain({
      schedule: tables,
      x0,
      t: Math.max(...steps),
      seed,
      recordAt: steps,
    });
    frames = steps.map((t) => ({ t, x: recorded.find((r) => r.t === t)?.x }));
  } else {
    const noise = gaussianTensor(x0.shape, seed, 0);
    frames = await Promise.all(
      steps.map(async (t) => ({ t, x: t === 0 ? x0 : await backend.qSample({ schedule: tables, x0, noise, t: [t] }) })),
    );
  }
  for (const { t, x } of frames) {
    if (!x) throw new Error(`${backend.name} returned no x_${t}`);
    checkTensor(`x_${t} from ${backend.name}`, x);
    if (!sameShape(x.shape, x0.shape))
      throw new Error(
        `x_${t} from ${backend.name} has shape [${x.shape.join(', ')}], expected [${x0.shape.join(', ')}]`,
      );
  }
  return frames as { t: number; x: Tensor }[];
}

/** The strip: frames side by side, each titled by its step, as a vega-lite figure rendered to SVG. */
export async function stripSvg(frames: readonly { t: number; x: Tensor }[], title?: string): Promise<string> {
  const [, , height, width] = frames[0].x.shape;
  const scale = Math.max(1, Math.floor(160 / Math.max(width, height)));
  const panels = await Promise.all(
    frames.map(async ({ t, x }) => ({
      title: `t = ${t}`,
      width: width * scale,
      height: height * scale,
      data: { values: [{ url: `data:image/png;base64,${(await tensorToPng(x)).toString('base64')}`, u: 0.5, v: 0.5 }] },
      mark: { type: 'image' as const, width: width * scale, height: height * scale, aspect: false, smooth: false },
      encoding: {
        url: { field: 'url', type: 'nominal' as const },
        x: { field: 'u', type: 'quantitative' as const, axis: null, scale: { domain: [0, 1] } },
        y: { field: 'v', type: 'quantitative' as const, axis: null, scale: { domain: [0, 1] } },
      },
    })),
  );
  return vegaLiteSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title } : {}),
    hconcat: panels,
    config: { view: { stroke: null } },
  });
}

/** Renders an SVG (from vega) to PNG. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
