import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { startWasmBackend } from '../../../scripts/lib/node';
import { DEFAULT_CONFIG, PRESETS, presetConfig } from '../config/params';
import type { Dataset } from '../data/idx';
import { layerTable, networkLayers } from '../model/architecture';
import { buildModel } from '../model/build';
import { disposeSplit, toDevice } from '../train/deviceSplit';
import { activations, imageInput, predictProbabilities } from './activations';
import { accuracyOf, confusionMatrix, perClassAccuracy, rowFractions } from './confusion';
import { evaluateSplit } from './evaluate';
import { cellRows, topMistakes } from './ranking';

beforeAll(async () => {
  await startWasmBackend();
});

/** Images whose first pixel is 0 or 255 and nothing else. */
function tinyDataset(firstPixels: number[], labels: number[]): Dataset {
  const images = new Uint8Array(firstPixels.length * 784);
  firstPixels.forEach((value, i) => {
    images[i * 784] = value;
  });
  return { images, labels: Uint8Array.from(labels), count: labels.length, rows: 28, cols: 28 };
}

/**
 * A fixed model that looks at the first pixel x only: logits = x·a + b, with
 * b = [2, 0, …] and a = [−2, 0, 3, 0, …]. A dark image (x = 0) is class 0 with
 * probability e²/(e² + 9); a bright one (x = 1) is class 2 with e³/(e³ + 9).
 */
function tinyModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tf.layers.dense({ units: 10 }));
  const kernel = new Float32Array(784 * 10);
  kernel[0] = -2;
  kernel[2] = 3;
  const bias = new Float32Array(10);
  bias[0] = 2;
  model.layers[1].setWeights([tf.tensor2d(kernel, [784, 10]), tf.tensor1d(bias)]);
  return model;
}

const DARK = Math.exp(2) / (Math.exp(2) + 9);
const BRIGHT = Math.exp(3) / (Math.exp(3) + 9);

describe('the test pass and what is read off it', () => {
  it('gives the hand-computed confusion matrix, per-class accuracy, and cells and mistakes by confidence', async () => {
    // Labels 0, 1, 1, 2, 1; predictions 0, 2, 0, 2, 2.
    const dataset = tinyDataset([0, 255, 0, 255, 255], [0, 1, 1, 2, 1]);
    const model = tinyModel();
    const split = toDevice(dataset, dataset.count, 1);
    const before = tf.memory().numTensors;
    const evaluation = await evaluateSplit(model, split);
    expect(tf.memory().numTensors).toBe(before);
    disposeSplit(split);
    model.dispose();

    expect(Array.from(evaluation.predicted)).toEqual([0, 2, 0, 2, 2]);
    expect(Array.from(evaluation.labels)).toEqual([0, 1, 1, 2, 1]);
    expect(Array.from(evaluation.images)).toEqual([0, 1, 2, 3, 4]);
    const confidence = Array.from(evaluation.confidence);
    [DARK, BRIGHT, DARK, BRIGHT, BRIGHT].forEach((p, i) => expect(confidence[i]).toBeCloseTo(p, 5));

    const matrix = confusionMatrix(evaluation.labels, evaluation.predicted);
    const expected = new Array(100).fill(0);
    expected[0 * 10 + 0] = 1;
    expected[1 * 10 + 2] = 2;
    expected[1 * 10 + 0] = 1;
    expected[2 * 10 + 2] = 1;
    expect(matrix).toEqual(expected);
    expect(accuracyOf(matrix)).toBe(2 / 5);
    const perClass = perClassAccuracy(matrix);
    expect(perClass.slice(0, 3)).toEqual([1, 0, 1]);
    expect(perClass.slice(3).every(Number.isNaN)).toBe(true);
    expect(rowFractions(matrix)[12]).toBeCloseTo(2 / 3, 10);

    // Wrong answers: rows 1 and 4 (Trouser as Pullover, sure), row 2 (Trouser as T-shirt, less sure).
    expect(topMistakes(evaluation, { trueClass: null, predictedClass: null }, 10)).toEqual({ total: 3, rows: [1, 4, 2] });
    expect(topMistakes(evaluation, { trueClass: null, predictedClass: 0 }, 10)).toEqual({ total: 1, rows: [2] });
    expect(topMistakes(evaluation, { trueClass: 1, predictedClass: null }, 1)).toEqual({ total: 3, rows: [1] });
    expect(cellRows(evaluation, 2, 2, 10)).toEqual({ total: 1, rows: [3] });
    expect(cellRows(evaluation, 5, 5, 10)).toEqual({ total: 0, rows: [] });
  });

  it('takes the epoch accuracy from the same matrix, so its diagonal over its total is the test accuracy', () => {
    const matrix = confusionMatrix([3, 3, 4, 4], [3, 4, 4, 4]);
    expect(accuracyOf(matrix)).toBe(0.75);
    expect(accuracyOf(new Array(100).fill(0))).toBeNaN();
  });
});

describe('activations', () => {
  for (const preset of PRESETS) {
    it(`gives every conv and pool layer of the ${preset} preset, shaped as the layer table says`, async () => {
      const config = presetConfig(preset);
      const model = buildModel(config);
      const image = imageInput(new Uint8Array(784).map((_, i) => (i * 7) % 256));
      const before = tf.memory().numTensors;
      const result = await activations(model, image);
      expect(tf.memory().numTensors).toBe(before);
      const rows = layerTable(networkLayers(config)).rows.filter((row) => row.name.startsWith('conv') || row.name.startsWith('pool'));
      expect(result.maps.map((m) => [m.layer, m.kind, [1, m.channels, m.height, m.width]]))
        .toEqual(rows.map((row) => [row.name, row.name.startsWith('conv') ? 'conv' : 'pool', row.outputShape]));
      for (const map of result.maps) expect(map.values.length).toBe(map.channels * map.height * map.width);
      expect(result.kernels).toMatchObject({ layer: 'conv1', count: 6, size: 5 });
      expect(result.kernels!.values.length).toBe(6 * 25);
      // The kernels are the layer's own weights, filter after filter.
      const weights = await (model.getLayer('conv1').getWeights()[0] as tf.Tensor4D).transpose([3, 2, 0, 1]).data();
      expect(Array.from(result.kernels!.values)).toEqual(Array.from(weights));
      expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      image.dispose();
      model.dispose();
    });
  }

  it('matches the model’s own output: the last pool map feeds the same probabilities as predict', async () => {
    const model = buildModel({ ...DEFAULT_CONFIG, seed: 3 });
    const image = imageInput(new Uint8Array(784).fill(200));
    const { probabilities } = await activations(model, image);
    const predicted = await predictProbabilities(model, image);
    Array.from(predicted).forEach((p, i) => expect(probabilities[i]).toBeCloseTo(p, 5));
    image.dispose();
    model.dispose();
  });
});

describe('a drawing', () => {
  it('gets ten probabilities that add up to 1, and a different drawing gets different ones', async () => {
    const model = buildModel(presetConfig('modern'));
    const stroke = new Float32Array(784);
    for (let y = 4; y < 24; y++) stroke[y * 28 + 14] = 1;
    const blob = new Float32Array(784);
    for (let y = 8; y < 20; y++) for (let x = 6; x < 22; x++) blob[y * 28 + x] = 0.8;
    const before = tf.memory().numTensors;
    const answers: Float32Array[] = [];
    for (const drawing of [stroke, blob]) {
      const input = imageInput(drawing);
      answers.push(await predictProbabilities(model, input));
      input.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    for (const probabilities of answers) {
      expect(probabilities).toHaveLength(10);
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    expect(Array.from(answers[0])).not.toEqual(Array.from(answers[1]));
    model.dispose();
  });

  it('refuses an image that is not 28×28', () => {
    expect(() => imageInput(new Float32Array(10))).toThrow(/784 pixels/);
  });
});
