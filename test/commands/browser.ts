import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Chromium's executable on PATH (Debian's `chromium`, scripts/setup-chromium.sh), or undefined. */
export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export interface PageCheck {
  /** Console errors, page errors and failed requests, in order. */
  problems: string[];
  /** Rendered chart and strip figures that hold an SVG. */
  charts: number;
  strips: number;
  /** Figures with an SVG that did not draw (empty box or no marks). */
  emptyFigures: string[];
  /** The ids (data-figure) of the figures that drew. */
  drawnFigures: string[];
  screenshot: Uint8Array;
}

// Runs in the page: counts figures whose SVG was laid out with a non-empty box and holds drawn marks.
const COUNT_FIGURES = `(() => {
  const figures = [...document.querySelectorAll('figure')];
  const drawn = (f) => {
    const svg = f.querySelector('svg');
    if (!svg) return false;
    const box = svg.getBoundingClientRect();
    // vega draws data marks inside g.role-mark (axes and legends have other roles).
    return box.width > 0 && box.height > 0 && svg.querySelectorAll('g.role-mark > *').length > 0;
  };
  return {
    charts: figures.filter((f) => f.classList.contains('chart') && drawn(f)).length,
    strips: figures.filter((f) => f.classList.contains('strip') && drawn(f)).length,
    emptyFigures: figures.filter((f) => f.querySelector('svg') && !drawn(f)).map((f) => f.getAttribute('data-figure') || '?'),
    drawnFigures: figures.filter(drawn).map((f) => f.getAttribute('data-figure') || '?'),
  };
})()`;

/** Opens a report page in headless Chromium as a reader would, and reports what rendered and what went wrong. */
export async function openReport(htmlPath: string, executablePath: string): Promise<PageCheck> {
  const puppeteer = (await import('puppeteer-core')).default;
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const counts = (await page.evaluate(COUNT_FIGURES)) as Pick<
      PageCheck,
      'charts' | 'strips' | 'emptyFigures' | 'drawnFigures'
    >;
    const screenshot = await page.screenshot({ fullPage: true, type: 'png' });
    return { problems, ...counts, screenshot };
  } finally {
    await browser.close();
  }
}
