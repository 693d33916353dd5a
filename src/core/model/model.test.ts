import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, presetConfig } from '../config/params';
import { layerTable, lenetLayers } from './architecture';
import { buildModel } from './build';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('layer table', () => {
  it('matches the book for the d2l preset: shapes and 61,706 parameters', () => {
    const table = layerTable(lenetLayers(DEFAULT_CONFIG));
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
    const table = layerTable(lenetLayers(presetConfig('djl')));
    expect(table.rows.map((r) => r.outputShape)).toEqual(layerTable(lenetLayers(DEFAULT_CONFIG)).rows.map((r) => r.outputShape));
    expect(table.rows[1].description).toBe('Average pool 5×5, stride 2, padding 2');
    expect(table.totalParameters).toBe(61_706 - 6);
  });

  it('follows the activation and pooling settings', () => {
    const table = layerTable(lenetLayers({ ...DEFAULT_CONFIG, activation: 'relu', pool: 'max' }));
    expect(table.rows[0].description).toContain('ReLU');
    expect(table.rows[1].description).toMatch(/^Max pool/);
    expect(table.rows[7].description).toBe('Dense 10 (logits)');
  });
});

describe('buildModel', () => {
  for (const preset of ['d2l', 'djl', 'modern'] as const) {
    it(`builds a tfjs model whose shapes and parameters equal the table (${preset})`, () => {
      const config = presetConfig(preset);
      const table = layerTable(lenetLayers(config));
      const model = buildModel(config);
      expect(model.countParams()).toBe(table.totalParameters);
      for (const row of table.rows) {
        const shape = model.getLayer(row.name).outputShape as number[];
        // tfjs is channels-last: [null, h, w, c] vs the book's [1, c, h, w].
        const channelsFirst = shape.length === 4 ? [1, shape[3], shape[1], shape[2]] : [1, shape[1]];
        expect(channelsFirst, row.name).toEqual(row.outputShape);
      }
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
