import type { TopLevelSpec } from 'vega-lite';

/** Renders a vega-lite spec to an SVG string in Node (vega's headless SVG renderer); vega loads on first use. */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
