import { html } from './text.ts';

/**
 * A bar chart as inline SVG (the console has no external assets). Screen readers get the
 * title and every bar's label and value; sighted users read the value above each bar and the
 * label under it, so nothing depends on hovering.
 */
export interface Bar {
  label: string;
  value: number;
}

const BAR_WIDTH = 44;
const GAP = 8;
const PLOT_HEIGHT = 120;
const TOP = 20;
// Room under the bars for labels written at an angle (ISO dates are wider than a bar).
const LABEL_SPACE = 70;
const LEFT = 40;

export function barChart(title: string, bars: Bar[]): string {
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const width = LEFT + bars.length * (BAR_WIDTH + GAP);
  const height = TOP + PLOT_HEIGHT + LABEL_SPACE;
  const baseline = TOP + PLOT_HEIGHT;
  const summary = `${title}: ${bars.map((bar) => `${bar.label} ${bar.value}`).join(', ')}`;
  const drawn = bars.map((bar, index) => {
    const x = LEFT + index * (BAR_WIDTH + GAP);
    const barHeight = Math.round((bar.value / max) * PLOT_HEIGHT);
    const middle = x + BAR_WIDTH / 2;
    return `<g><title>${html(bar.label)}: ${bar.value}</title>
<rect class="bar" data-label="${html(bar.label)}" data-value="${bar.value}" x="${x}" y="${baseline - barHeight}" width="${BAR_WIDTH}" height="${barHeight}" fill="#1f3a5f"/>
<text x="${middle}" y="${baseline - barHeight - 4}" text-anchor="middle" font-size="12">${bar.value}</text>
<text x="${middle}" y="${baseline + 12}" text-anchor="end" font-size="11" transform="rotate(-45 ${middle} ${baseline + 12})">${html(bar.label)}</text></g>`;
  });
  return `<svg class="chart" role="img" aria-label="${html(summary)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<title>${html(summary)}</title>
<line x1="0" y1="${baseline}" x2="${width}" y2="${baseline}" stroke="#d0d5dc"/>
${drawn.join('\n')}
</svg>`;
}
