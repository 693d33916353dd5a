/**
 * The training chart as a file. Recharts draws an SVG whose colours are CSS
 * variables and whose legend is HTML beside it: the copy gets the colours it
 * shows on screen, a background, and the legend as SVG text, so it reads the
 * same outside the page. PNG is that SVG painted on a canvas (at twice the
 * size, for sharp lines).
 */

export interface LegendEntry {
  name: string;
  colour: string;
}

const LEGEND_LINE = 18;
const SVG_NS = 'http://www.w3.org/2000/svg';

/** `var(--x)` in a presentation attribute, as the page resolves it now. */
function resolved(value: string, style: CSSStyleDeclaration): string {
  return value.replace(/var\((--[\w-]+)\)/g, (_, name: string) => style.getPropertyValue(name).trim() || 'currentColor');
}

/** A standalone SVG document of `svg` with a title and legend above it. */
export function chartSvg(svg: SVGSVGElement, title: string, legend: readonly LegendEntry[]): string {
  const style = getComputedStyle(svg);
  const { width, height } = svg.getBoundingClientRect();
  const top = LEGEND_LINE * (legend.length + 1) + 8;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  for (const element of [copy, ...copy.querySelectorAll('*')]) {
    for (const attribute of ['stroke', 'fill', 'color']) {
      const value = element.getAttribute(attribute);
      if (value?.includes('var(')) element.setAttribute(attribute, resolved(value, style));
    }
  }
  const text = style.getPropertyValue('--text').trim() || '#000';
  const background = style.getPropertyValue('--surface').trim() || '#fff';
  const out = document.createElementNS(SVG_NS, 'svg');
  out.setAttribute('xmlns', SVG_NS);
  out.setAttribute('width', String(Math.round(width)));
  out.setAttribute('height', String(Math.round(height + top)));
  out.setAttribute('font-family', 'sans-serif');
  out.setAttribute('font-size', '12');
  const rect = document.createElementNS(SVG_NS, 'rect');
  rect.setAttribute('width', '100%');
  rect.setAttribute('height', '100%');
  rect.setAttribute('fill', background);
  out.append(rect);
  const line = (y: number, label: string, colour: string | null) => {
    if (colour) {
      const mark = document.createElementNS(SVG_NS, 'line');
      Object.entries({ x1: '10', x2: '34', y1: String(y - 4), y2: String(y - 4), stroke: colour, 'stroke-width': '3' })
        .forEach(([key, value]) => mark.setAttribute(key, value));
      out.append(mark);
    }
    const words = document.createElementNS(SVG_NS, 'text');
    words.setAttribute('x', colour ? '40' : '10');
    words.setAttribute('y', String(y));
    words.setAttribute('fill', text);
    // textContent: a run's name is the learner's text, never markup.
    words.textContent = label;
    out.append(words);
  };
  line(LEGEND_LINE, title, null);
  legend.forEach((entry, i) => line(LEGEND_LINE * (i + 2), entry.name, resolved(entry.colour, style)));
  copy.setAttribute('x', '0');
  copy.setAttribute('y', String(top));
  out.append(copy);
  return new XMLSerializer().serializeToString(out);
}

/** The SVG painted at `scale` times its size, as PNG bytes. */
export async function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width * scale;
    canvas.height = image.height * scale;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser cannot draw on a canvas');
    context.scale(scale, scale);
    context.drawImage(image, 0, 0);
    return await new Promise<Blob>((resolve, reject) => {
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the chart could not be turned into a PNG'))), 'image/png');
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
