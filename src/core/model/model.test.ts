import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { parseArch } from '../config/arch';
import { validArch } from '../config/arch.testing';
import { DEFAULT_CONFIG, presetConfig, type Config } from '../config/params';
import { layerTable, networkLayers, networkTable } from './architecture';
import { buildModel } from './build';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layer table', () => {
  it('matches the book for the d2l preset: shapes and 61,706 parameters', () => {
    const table = layerTable(networkLayers(DEFAULT_CONFIG));
    expect(table.rows.map((r) => [r.name, r.outputShape, r.parameters])).toEqual([
      ['conv1', [1, 6, 28, 28], 156],
      ['pool1', [1, 6, 14, 14], 0],
      ['conv2', [1, 16, 10, 10], 2416],
      ['pool2', [1, 16, 5, 5], 0],
      ['flatten', [1, 400], 0],
      ['dense1', [1, 120], 48120],
      ['dense2', [1, 84], 10164],
      ['output', [1, 10], 850],
    ]);
    expect(table.totalParameters).toBe(61_706);
    expect(table.rows[0].description).toBe('Conv 6×5×5, padding 2, sigmoid');
  });

  it('gives the DJL notebook the same shapes, 5×5 pools and no first bias', () => {
    const table = layerTable(networkLayers(presetConfig('djl')));
    expect(table.rows.map((r) => r.outputShape)).toEqual(layerTable(networkLayers(DEFAULT_CONFIG)).rows.map((r) => r.outputShape));
    expect(table.rows[1].description).toBe('Average pool 5×5, stride 2, padding 2');
    expect(table.totalParameters).toBe(61_706 - 6);
  });

  it('follows the activation and pooling settings', () => {
    const table = layerTable(networkLayers({ ...DEFAULT_CONFIG, activation: 'relu', pool: 'max' }));
    expect(table.rows[0].description).toContain('ReLU');
    expect(table.rows[1].description).toMatch(/^Max pool/);
    expect(table.rows[7].description).toBe('Dense 10 (logits)');
  });
});

/** The built model's shapes and parameter count equal the table's, which never touched tfjs. */
function expectModelMatchesTable(config: Config): tf.Sequential {
  const table = networkTable(config);
  const model = buildModel(config);
  expect(model.countParams()).toBe(table.totalParameters);
  for (const row of table.rows) {
    const shape = model.getLayer(row.name).outputShape as number[];
    // tfjs is channels-last: [null, h, w, c] vs the book's [1, c, h, w].
    const channelsFirst = shape.length === 4 ? [1, shape[3], shape[1], shape[2]] : [1, shape[1]];
    expect(channelsFirst, row.name).toEqual(row.outputShape);
  }
  return model;
}

describe('buildModel', () => {
  it('builds every architecture the codec accepts as the table says (random architectures)', () => {
    fc.assert(fc.property(validArch, (arch) => {
      expectModelMatchesTable({ ...DEFAULT_CONFIG, arch }).dispose();
    }), { numRuns: 40 });
  });

  for (const preset of ['d2l', 'djl', 'modern'] as const) {
    it(`builds a tfjs model whose shapes and parameters equal the table (${preset})`, () => {
      const model = expectModelMatchesTable(presetConfig(preset));
      expect(model.getLayer('conv1').getWeights().length).toBe(preset === 'djl' ? 1 : 2);
      model.dispose();
    });
  }

  it('starts from the same weights for the same seed, different ones for another', () => {
    const weights = (seed: number) => {
      const model = buildModel({ ...DEFAULT_CONFIG, seed });
      const values = model.getLayer('conv2').getWeights()[0].dataSync().slice(0, 20);
      model.dispose();
      return Array.from(values);
    };
    expect(weights(3)).toEqual(weights(3));
    expect(weights(3)).not.toEqual(weights(4));
  });

  it('uses the Xavier range for the d2l preset', () => {
    const model = buildModel(DEFAULT_CONFIG);
    const w = model.getLayer('dense1').getWeights()[0].dataSync();
    const limit = Math.sqrt(6 / (400 + 120));
    expect(Math.max(...w)).toBeLessThanOrEqual(limit);
    expect(Math.max(...w)).toBeGreaterThan(limit * 0.9);
    model.dispose();
  });
});

describe('what cannot work', () => {
  it('names the first layer whose window does not fit, and gives the layers after it no shape', () => {
    const table = layerTable(networkLayers(decodeArch('c6k5-pool2-c16k5-pool2-c32k5-d10')));
    expect(table.problems).toEqual(['conv3: its 5×5 kernel is larger than its 4×4 input']);
    expect(table.rows.find((row) => row.name === 'conv3')!.problem).toBe(table.problems[0]);
    expect(table.rows.slice(-3).map((row) => row.outputShape)).toEqual([null, null, null]);
  });

  it('refuses a pool padded by more than half its window, as PyTorch does', () => {
    expect(layerTable(networkLayers(decodeArch('c6k5p2-pool3s2p1-c16k5-pool2'))).problems).toEqual([]);
    const config = { ...DEFAULT_CONFIG, arch: { ...DEFAULT_CONFIG.arch, convs: [{ ...DEFAULT_CONFIG.arch.convs[0], pool: { window: 3, stride: 2, padding: 2 } }] } };
    expect(networkTable(config).problems).toEqual(['pool1: its padding 2 is more than half of its 3×3 window']);
  });

  it('says when padding is what it lacks', () => {
    const table = layerTable(networkLayers(decodeArch('c6k9-pool3-c16k9p1')));
    expect(table.problems).toEqual(['conv2: its 9×9 kernel is larger than its 6×6 input padded to 8×8']);
  });

  it('counts multiply-adds per image: the book\'s LeNet does about 0.4 million', () => {
    const table = networkTable(DEFAULT_CONFIG);
    expect(table.rows.map((row) => row.multiplyAdds)).toEqual([117_600, 0, 240_000, 0, 0, 48_000, 10_080, 840]);
    expect(table.totalMultiplyAdds).toBe(416_520);
  });
});

function decodeArch(text: string): Config {
  const parsed = parseArch(text);
  if (!parsed.arch) throw new Error(parsed.problem);
  return { ...DEFAULT_CONFIG, arch: parsed.arch };
}
