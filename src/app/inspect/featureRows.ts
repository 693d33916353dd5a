/**
 * Feature maps as rows to draw: one row per layer (and one for the first
 * layer's kernels), one cell per image, each channel with the colour range
 * the chosen scale gives it. Pure, so the comparison rules are tested
 * without a browser.
 */
import type { FeatureMaps, Kernels } from '../../core/inspect/activations';
import type { ActivationsReply } from '../../worker/protocol';
import { alignLayers, layerRange, sharedChannelRanges, symmetricRange, valueRange, type Range, type ScaleMode } from './scale';

/** One image's maps of one layer, cut into channels, with their colour ranges. */
export interface Cell {
  channels: { values: Float32Array; range: Range }[];
  /** This image's own lowest and highest value in the layer, for the text alternative. */
  own: Range;
}

export interface Row {
  key: string;
  /** The layer's name, or "conv1 kernel" for the kernels: what the numbers are of. */
  name: string;
  heading: string;
  /** Shared by every cell in 'layer' mode, for the visible legend; null in 'channel' mode. */
  legend: Range | null;
  /** True when more than one image shows this row (their ranges are then shared). */
  shared: boolean;
  label: (channel: number) => string;
  width: number;
  height: number;
  cells: (Cell | null)[];
}

function cut(values: Float32Array, count: number, size: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => values.subarray(i * size, (i + 1) * size));
}

function layerRow(layer: string, maps: (FeatureMaps | null)[], mode: ScaleMode): Row {
  const present = maps.filter((map): map is FeatureMaps => map !== null);
  const ranges = sharedChannelRanges(present, mode);
  const shape = present[0];
  let next = 0;
  return {
    key: `layer-${layer}`,
    name: layer,
    heading: `${layer} · ${shape.channels} ${shape.channels === 1 ? 'channel' : 'channels'} · ${shape.height}×${shape.width}`,
    legend: mode === 'layer' ? layerRange(present) : null,
    shared: present.length > 1,
    label: (channel) => `${layer} channel ${channel + 1}`,
    width: shape.width,
    height: shape.height,
    cells: maps.map((map) => {
      if (!map) return null;
      const own = ranges[next++];
      return {
        channels: cut(map.values, map.channels, map.height * map.width).map((values, c) => ({ values, range: own[c] })),
        own: valueRange(map.values),
      };
    }),
  };
}

function kernelRow(kernels: (Kernels | null)[]): Row | null {
  const present = kernels.filter((k): k is Kernels => k !== null);
  if (present.length === 0) return null;
  const range = symmetricRange(...present.map((k) => k.values));
  const first = present[0];
  return {
    key: 'kernels',
    name: `${first.layer} kernel`,
    heading: `${first.layer} kernels · ${first.count} · ${first.size}×${first.size}`,
    legend: range,
    shared: present.length > 1,
    label: (kernel) => `${first.layer} kernel ${kernel + 1}`,
    width: first.size,
    height: first.size,
    cells: kernels.map((k) => k && {
      channels: cut(k.values, k.count, k.size * k.size).map((values) => ({ values, range })),
      own: valueRange(k.values),
    }),
  };
}

export function buildRows(replies: (ActivationsReply | null)[], mode: ScaleMode): Row[] {
  const layers = alignLayers(replies.map((reply) => reply?.maps ?? null)).map((row) => layerRow(row.layer, row.maps, mode));
  const kernels = kernelRow(replies.map((reply) => reply?.kernels ?? null));
  return kernels ? [...layers, kernels] : layers;
}

