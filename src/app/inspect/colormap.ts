/**
 * Numbers to colours for the inspection views. Viridis, because its
 * lightness rises steadily from one end to the other (so a map still reads
 * in grayscale and to colour-blind eyes) and because both ends stay visible
 * on a light and on a dark page. A short table with linear interpolation is
 * close enough at the few hundred pixels a feature map has, and keeps the
 * bundle free of a colour library.
 */

export type Colormap = 'gray' | 'viridis';
export type RGB = [number, number, number];

/** Matplotlib's viridis sampled at t = 0, 0.1, …, 1. */
export const VIRIDIS_STOPS: readonly RGB[] = [
  [68, 1, 84], // #440154
  [72, 36, 117], // #482475
  [65, 68, 135], // #414487
  [53, 95, 141], // #355f8d
  [42, 120, 142], // #2a788e
  [33, 145, 140], // #21918c
  [34, 168, 132], // #22a884
  [68, 191, 112], // #44bf70
  [122, 209, 81], // #7ad151
  [189, 223, 38], // #bddf26
  [253, 231, 37], // #fde725
];

/** What a NaN paints: a grey that is neither end of either map, so a broken value shows as such. */
export const NAN_COLOR: RGB = [128, 128, 128];

function clamp01(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

function writeViridis(t: number, out: Uint8ClampedArray | number[], at: number): void {
  if (Number.isNaN(t)) {
    out[at] = NAN_COLOR[0]; out[at + 1] = NAN_COLOR[1]; out[at + 2] = NAN_COLOR[2];
    return;
  }
  const x = clamp01(t) * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS_STOPS.length - 2);
  const f = x - i;
  const a = VIRIDIS_STOPS[i];
  const b = VIRIDIS_STOPS[i + 1];
  out[at] = Math.round(a[0] + (b[0] - a[0]) * f);
  out[at + 1] = Math.round(a[1] + (b[1] - a[1]) * f);
  out[at + 2] = Math.round(a[2] + (b[2] - a[2]) * f);
}

function writeGray(t: number, out: Uint8ClampedArray | number[], at: number): void {
  const v = Number.isNaN(t) ? NAN_COLOR[0] : Math.round(clamp01(t) * 255);
  out[at] = v; out[at + 1] = v; out[at + 2] = v;
}

/** Viridis at t (clamped to [0, 1]); NaN gives NAN_COLOR. */
export function viridis(t: number): RGB {
  const out: RGB = [0, 0, 0];
  writeViridis(t, out, 0);
  return out;
}

/** Black at 0, white at 1 (clamped); NaN gives NAN_COLOR. */
export function gray(t: number): RGB {
  const out: RGB = [0, 0, 0];
  writeGray(t, out, 0);
  return out;
}

/**
 * Fills `out` (RGBA, as ImageData.data) with `values` mapped through `map`,
 * `range[0]` at the dark end and `range[1]` at the bright one. A flat range
 * (min === max, or not a finite span) paints every value the middle colour.
 */
export function paint(
  values: ArrayLike<number>,
  range: readonly [number, number],
  map: Colormap,
  out: Uint8ClampedArray,
): void {
  if (out.length < values.length * 4) {
    throw new Error(`${values.length} values need ${values.length * 4} bytes of RGBA, not ${out.length}`);
  }
  const [min, max] = range;
  const span = max - min;
  const flat = !(span > 0) || !Number.isFinite(span);
  const write = map === 'viridis' ? writeViridis : writeGray;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = Number.isNaN(v) ? NaN : flat ? 0.5 : (v - min) / span;
    write(t, out, i * 4);
    out[i * 4 + 3] = 255;
  }
}

/** A CSS linear-gradient, left to right, of the whole map (for legends). */
export function colormapGradient(map: Colormap): string {
  if (map === 'gray') return 'linear-gradient(to right, rgb(0 0 0), rgb(255 255 255))';
  const last = VIRIDIS_STOPS.length - 1;
  const stops = VIRIDIS_STOPS.map(([r, g, b], i) => `rgb(${r} ${g} ${b}) ${Math.round((i / last) * 100)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** The two ends in words, for text alternatives. */
export const COLORMAP_ENDS: Record<Colormap, { low: string; high: string }> = {
  gray: { low: 'black', high: 'white' },
  viridis: { low: 'dark purple', high: 'yellow' },
};
