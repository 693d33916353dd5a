import { describe, expect, it } from 'vitest';
import type { ActivationsReply } from '../../worker/protocol';
import { buildRows } from './featureRows';

/** A reply with one 2-channel 1×2 conv layer and one 1×1 kernel per channel. */
function reply(values: number[], kernels: number[]): ActivationsReply {
  return {
    type: 'activations',
    maps: [{ layer: 'conv1', kind: 'conv', channels: 2, height: 1, width: 2, values: Float32Array.from(values) }],
    probabilities: new Float32Array(10),
    kernels: { layer: 'conv1', count: 2, size: 1, values: Float32Array.from(kernels) },
  };
}

describe('feature map rows', () => {
  it('puts the same layer of two images in one row, on one shared range per layer', () => {
    const rows = buildRows([reply([0, 1, 2, 3], [0.5, -0.25]), reply([4, 5, 6, 8], [0.5, -0.25])], 'layer');
    expect(rows.map((row) => row.heading)).toEqual(['conv1 · 2 channels · 1×2', 'conv1 kernels · 2 · 1×1']);
    const [layer, kernels] = rows;
    expect(layer.legend).toEqual([0, 8]);
    expect(layer.cells.flatMap((cell) => cell!.channels.map((channel) => channel.range))).toEqual([[0, 8], [0, 8], [0, 8], [0, 8]]);
    expect(layer.cells.map((cell) => cell!.own)).toEqual([[0, 3], [4, 8]]);
    expect(layer.label(1)).toBe('conv1 channel 2');
    // Kernels: symmetric around zero, so zero is always the middle colour.
    expect(kernels.legend).toEqual([-0.5, 0.5]);
  });

  it('gives each channel its own range, still shared by the two images, in channel mode', () => {
    const [layer] = buildRows([reply([0, 1, 2, 3], [1, 1]), reply([4, 5, 6, 8], [1, 1])], 'channel');
    expect(layer.legend).toBeNull();
    expect(layer.cells[0]!.channels.map((channel) => channel.range)).toEqual([[0, 5], [2, 8]]);
    expect(layer.cells[1]!.channels.map((channel) => channel.range)).toEqual([[0, 5], [2, 8]]);
  });
});
