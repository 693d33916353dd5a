/**
 * Which numbers get the ends of the colour scale (format.ts writes them).
 * One range per layer keeps channels comparable (a weak channel looks weak);
 * one per channel shows each channel's pattern even when it is faint. When
 * two images are compared, both get the same ranges, or the same colour would
 * mean different numbers in the two columns.
 */
import type { FeatureMaps } from '../../core/inspect/activations';

export type ScaleMode = 'layer' | 'channel';
export type Range = [number, number];

/** Min and max of the finite values in values[start, end); [0, 0] when there are none. */
export function valueRange(values: ArrayLike<number>, start = 0, end = values.length): Range {
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 0];
}

function merge(ranges: Range[]): Range {
  const finite = ranges.filter(([min, max]) => min <= max);
  if (finite.length === 0) return [0, 0];
  return [Math.min(...finite.map((r) => r[0])), Math.max(...finite.map((r) => r[1]))];
}

/** One layer's values over every image given (the same layer of each). */
export function layerRange(maps: readonly FeatureMaps[]): Range {
  return merge(maps.map((map) => valueRange(map.values)));
}

function ownChannelRanges(map: FeatureMaps): Range[] {
  const size = map.height * map.width;
  return Array.from({ length: map.channels }, (_, c) => valueRange(map.values, c * size, (c + 1) * size));
}

/**
 * The range of each channel of the same layer for several images (the
 * columns of a comparison), result[image][channel]. 'layer': every channel of
 * every image gets the layer's range over all the images. 'channel': channel c
 * gets its own range, shared by channel c of every image (each image keeps
 * its own when the images' channel counts differ, e.g. models of two runs).
 */
export function sharedChannelRanges(maps: readonly FeatureMaps[], mode: ScaleMode): Range[][] {
  if (mode === 'layer') {
    const range = layerRange(maps);
    return maps.map((map) => Array.from({ length: map.channels }, (): Range => [range[0], range[1]]));
  }
  const own = maps.map(ownChannelRanges);
  if (maps.some((map) => map.channels !== maps[0].channels)) return own;
  const shared = own[0].map((_, c) => merge(own.map((ranges) => ranges[c])));
  return maps.map(() => shared.map((r): Range => [r[0], r[1]]));
}

/** A range symmetric around 0 covering every value given: for kernels, whose sign matters. */
export function symmetricRange(...arrays: ArrayLike<number>[]): Range {
  const [min, max] = merge(arrays.map((values) => valueRange(values)));
  const m = Math.max(Math.abs(min), Math.abs(max));
  return m > 0 ? [-m, m] : [0, 0];
}

/** The scale of an input image: bytes are 0…255, a drawing's floats 0…1. */
export function inputRange(image: Uint8Array | Float32Array): Range {
  return image instanceof Uint8Array ? [0, 255] : [0, 1];
}

/**
 * One layer's maps for each column, aligned by layer name so a row shows the
 * same layer of every image; null where a column has no activations or lacks
 * that layer. Rows follow the first column that has maps, then any layer only
 * a later column has.
 */
export interface LayerRow {
  layer: string;
  maps: (FeatureMaps | null)[];
}

export function alignLayers(columns: readonly (readonly FeatureMaps[] | null)[]): LayerRow[] {
  const names: string[] = [];
  for (const maps of columns) {
    for (const map of maps ?? []) if (!names.includes(map.layer)) names.push(map.layer);
  }
  return names.map((layer) => ({
    layer,
    maps: columns.map((maps) => maps?.find((map) => map.layer === layer) ?? null),
  }));
}

/**
 * CSS px per data pixel so a map of `width` pixels is about `target` CSS px
 * wide (at least 1); snapPixelSize then rounds it to whole device pixels, so
 * a sharper screen gets a size closer to the target.
 */
export function mapPixelSize(width: number, target = 48): number {
  return Math.max(1, target / Math.max(1, width));
}

/**
 * `pixelSize` CSS px, nudged so one data pixel covers a whole number of
 * device pixels (at least one): with image-rendering: pixelated, uneven
 * pixels would otherwise look like a pattern that is not in the data.
 */
export function snapPixelSize(pixelSize: number, devicePixelRatio: number): number {
  const ratio = devicePixelRatio > 0 && Number.isFinite(devicePixelRatio) ? devicePixelRatio : 1;
  return Math.max(1, Math.round(pixelSize * ratio)) / ratio;
}
