import { describe, expect, it } from 'vitest';
import type { FeatureMaps } from '../../core/inspect/activations';
import {
  alignLayers, inputRange, layerRange, mapPixelSize, sharedChannelRanges,
  snapPixelSize, symmetricRange, valueRange,
} from './scale';

/** A layer of 2×2 maps, channel after channel. */
function layer(values: number[], name = 'conv1'): FeatureMaps {
  return { layer: name, kind: 'conv', channels: values.length / 4, height: 2, width: 2, values: new Float32Array(values) };
}

describe('valueRange', () => {
  it('finds min and max of the finite values in a slice', () => {
    expect(valueRange([5, -1, 3, 9], 1, 3)).toEqual([-1, 3]);
    expect(valueRange([NaN, 2, Infinity, -Infinity, 1])).toEqual([1, 2]);
    expect(valueRange([])).toEqual([0, 0]);
    expect(valueRange([NaN])).toEqual([0, 0]);
  });
});

describe('sharedChannelRanges of one image', () => {
  const maps = layer([0, 1, 2, 3, /* */ -1, 0, 0.5, 0.25]);

  it("gives every channel the layer's range in 'layer' mode", () => {
    expect(sharedChannelRanges([maps], 'layer')[0]).toEqual([[-1, 3], [-1, 3]]);
  });

  it("gives each channel its own range in 'channel' mode", () => {
    expect(sharedChannelRanges([maps], 'channel')[0]).toEqual([[0, 3], [-1, 0.5]]);
  });
});

describe('sharedChannelRanges', () => {
  const a = layer([0, 1, 2, 3, /* */ 0, 0, 0, 0.5]);
  const b = layer([0, 0, 0, 1, /* */ 0, 4, 0, 0]);

  it("shares the layer's range across both images", () => {
    expect(sharedChannelRanges([a, b], 'layer')).toEqual([[[0, 4], [0, 4]], [[0, 4], [0, 4]]]);
    expect(layerRange([a, b])).toEqual([0, 4]);
  });

  it('shares each channel range across both images', () => {
    expect(sharedChannelRanges([a, b], 'channel')).toEqual([[[0, 3], [0, 4]], [[0, 3], [0, 4]]]);
  });

  it('keeps own channel ranges when the channel counts differ', () => {
    const c = layer([0, 0, 0, 7]);
    expect(sharedChannelRanges([a, c], 'channel')).toEqual([[[0, 3], [0, 0.5]], [[0, 7]]]);
    expect(sharedChannelRanges([a, c], 'layer')).toEqual([[[0, 7], [0, 7]], [[0, 7]]]);
  });

  it('returns independent ranges (mutating one does not change another)', () => {
    const ranges = sharedChannelRanges([a, b], 'layer');
    ranges[0][0][0] = 99;
    expect(ranges[1][0][0]).toBe(0);
  });
});

describe('symmetricRange', () => {
  it('is symmetric around 0 over every array', () => {
    expect(symmetricRange([-0.2, 0.1], [0.5])).toEqual([-0.5, 0.5]);
    expect(symmetricRange([-2, 1])).toEqual([-2, 2]);
    expect(symmetricRange([0, 0])).toEqual([0, 0]);
  });
});

describe('inputRange', () => {
  it('is 0…255 for bytes and 0…1 for a drawing', () => {
    expect(inputRange(new Uint8Array(784))).toEqual([0, 255]);
    expect(inputRange(new Float32Array(784))).toEqual([0, 1]);
  });
});

describe('alignLayers', () => {
  it('puts the same layer of each column in one row', () => {
    const first = [layer([0, 0, 0, 0], 'conv1'), layer([0, 0, 0, 0], 'pool1')];
    const second = [layer([1, 1, 1, 1], 'conv1'), layer([1, 1, 1, 1], 'pool1')];
    const rows = alignLayers([first, null, second]);
    expect(rows.map((r) => r.layer)).toEqual(['conv1', 'pool1']);
    expect(rows[1].maps).toEqual([first[1], null, second[1]]);
  });

  it('adds layers only a later column has, and is empty with no maps', () => {
    const rows = alignLayers([[layer([0, 0, 0, 0], 'a')], [layer([0, 0, 0, 0], 'b')]]);
    expect(rows.map((r) => [r.layer, r.maps.map((m) => m?.layer ?? null)])).toEqual([['a', ['a', null]], ['b', [null, 'b']]]);
    expect(alignLayers([null, null])).toEqual([]);
  });
});

describe('pixel sizes', () => {
  it('makes maps about 48 CSS px wide once snapped to device pixels', () => {
    const width = (w: number, ratio: number) => w * snapPixelSize(mapPixelSize(w), ratio);
    expect([28, 14, 10, 5, 1].map((w) => width(w, 1))).toEqual([56, 42, 50, 50, 48]);
    expect(width(28, 2)).toBe(42);
    expect(width(28, 3)).toBeCloseTo(46.67, 2);
    for (const w of [28, 14, 10, 5]) for (const ratio of [1, 1.25, 1.5, 2, 2.625, 3]) {
      expect(width(w, ratio)).toBeGreaterThanOrEqual(40);
      expect(width(w, ratio)).toBeLessThanOrEqual(56);
    }
    expect(mapPixelSize(200)).toBe(1);
  });

  it('snaps to whole device pixels', () => {
    expect(snapPixelSize(3, 1)).toBe(3);
    expect(snapPixelSize(3, 2)).toBe(3);
    expect(snapPixelSize(3, 1.25)).toBe(3.2); // 4 device pixels
    expect(snapPixelSize(2, 1.5)).toBe(2);
    expect(snapPixelSize(0.1, 1)).toBe(1);
    expect(snapPixelSize(3, 0)).toBe(3);
  });
});
