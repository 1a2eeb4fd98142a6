// Figures through vega-lite (SVG) and sharp (PNG), both loaded only when a figure is drawn.

type VegaLiteSpec = Record<string, unknown>;

/** Renders a vega-lite spec to SVG text. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function svgToPng(svg: string): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** L_simple per step (faint) and its moving average over `window` steps, log-scaled. */
export function lossCurveSpec(losses: readonly number[], window: number): VegaLiteSpec {
  const values: { step: number; loss: number; series: string }[] = [];
  let sum = 0;
  const every = Math.max(1, Math.floor(losses.length / 2000));
  losses.forEach((loss, i) => {
    sum += loss - (i >= window ? losses[i - window] : 0);
    if (i % every === 0 || i === losses.length - 1) {
      values.push({ step: i + 1, loss, series: 'per step' });
      values.push({ step: i + 1, loss: sum / Math.min(i + 1, window), series: `mean of ${window}` });
    }
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Training loss L_simple',
    width: 560,
    height: 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', strokeWidth: 1.2 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'L_simple', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null },
      opacity: { condition: { test: "datum.series === 'per step'", value: 0.35 }, value: 1 },
    },
  };
}

/** 2-D samples against data points. */
export function scatterSpec(data: Float64Array, samples: Float64Array, title: string): VegaLiteSpec {
  const values: { x: number; y: number; set: string }[] = [];
  for (let i = 0; i + 1 < data.length; i += 2) values.push({ x: data[i], y: data[i + 1], set: 'data' });
  for (let i = 0; i + 1 < samples.length; i += 2) values.push({ x: samples[i], y: samples[i + 1], set: 'samples' });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 420,
    background: 'white',
    data: { values },
    mark: { type: 'circle', size: 8, opacity: 0.6 },
    encoding: {
      x: { field: 'x', type: 'quantitative', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', scale: { zero: false } },
      color: { field: 'set', type: 'nominal', title: null },
    },
  };
}
