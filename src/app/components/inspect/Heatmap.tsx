/**
 * A grid of numbers as a tiny canvas, one canvas pixel per value, scaled up
 * by CSS with image-rendering: pixelated so the pixels stay sharp squares.
 * A canvas per map (not an <img> per map or a div per pixel) keeps a layer of
 * 128 channels cheap to draw and to hold in the DOM.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { COLORMAP_ENDS, colormapGradient, paint, type Colormap } from '../../inspect/colormap';
import { formatValue } from '../../format';
import { snapPixelSize } from '../../inspect/scale';
import './inspect-visual.css';

// One media-query listener for the whole page, however many canvases watch
// the pixel ratio (it changes with browser zoom and when a window moves to
// another screen).
const ratioListeners = new Set<() => void>();
let ratioQuery: MediaQueryList | null = null;

function watchRatio(): void {
  ratioQuery?.removeEventListener('change', ratioChanged);
  ratioQuery = null;
  if (ratioListeners.size === 0 || typeof window === 'undefined' || typeof window.matchMedia !== 'function') return;
  ratioQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
  ratioQuery.addEventListener('change', ratioChanged);
}

function ratioChanged(): void {
  watchRatio();
  for (const listener of ratioListeners) listener();
}

function subscribeRatio(listener: () => void): () => void {
  ratioListeners.add(listener);
  if (ratioListeners.size === 1) watchRatio();
  return () => {
    ratioListeners.delete(listener);
    if (ratioListeners.size === 0) watchRatio();
  };
}

const currentRatio = () => (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1);

/** window.devicePixelRatio, re-rendering when it changes. */
export function useDevicePixelRatio(): number {
  return useSyncExternalStore(subscribeRatio, currentRatio, () => 1);
}

export interface HeatmapProps {
  /** width × height values, row-major. */
  values: ArrayLike<number>;
  width: number;
  height: number;
  /** The values painted at the dark and the bright end. */
  range: readonly [number, number];
  colormap: Colormap;
  /** The canvas's accessible name, e.g. "conv1 channel 3". */
  label: string;
  /** CSS px per value before snapping to whole device pixels; 3 by default. */
  pixelSize?: number;
  className?: string;
}

/** `values` painted through `colormap` on a canvas with role img named `label`. */
export function Heatmap({ values, width, height, range, colormap, label, pixelSize = 3, className }: HeatmapProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const ratio = useDevicePixelRatio();
  const [min, max] = range;

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    if (values.length !== width * height) {
      // A mismatch is a caller's bug; an empty map is better than a thrown render.
      context.clearRect(0, 0, width, height);
      return;
    }
    const image = context.createImageData(width, height);
    paint(values, [min, max], colormap, image.data);
    context.putImageData(image, 0, 0);
  }, [values, width, height, min, max, colormap]);

  const scale = snapPixelSize(pixelSize, ratio);
  return (
    <canvas
      ref={canvas}
      className={className ? `heatmap ${className}` : 'heatmap'}
      width={width}
      height={height}
      role="img"
      aria-label={label}
      style={{ width: `${width * scale}px` }}
    />
  );
}

export interface ColorLegendProps {
  /** The numbers at the two ends; null writes "low" and "high" instead. */
  range: readonly [number, number] | null;
  colormap: Colormap;
  /** What the scale is for, the start of its text alternative, e.g. "conv1 colour scale". */
  label: string;
  /** How the end values are written; formatValue by default. */
  format?: (value: number) => string;
}

/** A small gradient bar with its end values beside it; one image with a text alternative for screen readers. */
export function ColorLegend({ range, colormap, label, format = formatValue }: ColorLegendProps) {
  const low = range ? format(range[0]) : 'low';
  const high = range ? format(range[1]) : 'high';
  const ends = COLORMAP_ENDS[colormap];
  return (
    <div className="color-legend" role="img" aria-label={`${label}: ${low} is ${ends.low}, ${high} is ${ends.high}`}>
      <span className="color-legend-end">{low}</span>
      <span className="color-legend-bar" style={{ backgroundImage: colormapGradient(colormap) }} />
      <span className="color-legend-end">{high}</span>
    </div>
  );
}
