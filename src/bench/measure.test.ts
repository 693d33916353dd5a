import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readDataset, startWasmBackend } from '../../scripts/lib/node';
import type { Splits } from '../core/data/datasetFolder';
import { measureTraining, normalizeMethods, roundOrder } from './measure';

let data: Splits;

beforeAll(async () => {
  await startWasmBackend();
  data = await readDataset('fashion');
});

describe('measureTraining', () => {
  it('times both methods on the same images, alternating order, and frees everything', async () => {
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    let heap = 1000;
    const result = await measureTraining({
      backend: 'wasm', images: 64, batch: 32, warmup: 32, rounds: 2,
      train: data.train, test: data.test, log: (line) => lines.push(line), heapUsed: () => (heap += 10),
    });
    expect(result.steps).toBe(2);
    for (const method of [result.ours!, result.fit!]) {
      expect(method.roundsImagesPerSecond).toHaveLength(2);
      expect(method.imagesPerSecond).toBeGreaterThan(0);
      expect(method.msPerStep).toBeCloseTo((1000 * 32) / method.imagesPerSecond, 0);
      expect(method.trainLoss).toBeGreaterThan(0);
      expect(method.trainLoss).toBeLessThan(10);
      expect(method.tensorsLeakedPerRun).toBe(0);
    }
    expect(result.oursOverFit).toBeCloseTo(result.ours!.imagesPerSecond / result.fit!.imagesPerSecond, 6);
    expect(result.tensorsBefore).toBe(before);
    expect(result.tensorsAfter).toBe(before);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.peakHeapBytes).toBe(heap);
    expect(lines.filter((l) => l.startsWith('round'))).toEqual([
      expect.stringMatching(/^round 1\/2: ours/), expect.stringMatching(/^round 1\/2: model.fit/),
      expect.stringMatching(/^round 2\/2: model.fit/), expect.stringMatching(/^round 2\/2: ours/),
    ]);
  });

  it('times only the methods asked for', async () => {
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const result = await measureTraining({
      backend: 'wasm', images: 32, batch: 32, warmup: 32, rounds: 2, methods: ['fit'],
      train: data.train, test: data.test, log: (line) => lines.push(line),
    });
    expect(result.ours).toBeUndefined();
    expect(result.oursOverFit).toBeUndefined();
    expect(result.fit?.roundsImagesPerSecond).toHaveLength(2);
    expect(result.tensorsAfter).toBe(before);
    expect(lines.filter((l) => /ours/.test(l))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('warm-up'))).toEqual(['warm-up: model.fit, 32 images']);
  });
});

describe('method order', () => {
  it('alternates which method goes first, and keeps a single one', () => {
    expect([0, 1, 2].map((r) => roundOrder(['ours', 'fit'], r))).toEqual([['ours', 'fit'], ['fit', 'ours'], ['ours', 'fit']]);
    expect([0, 1].map((r) => roundOrder(['fit'], r))).toEqual([['fit'], ['fit']]);
  });

  it('defaults to both, drops repeats and refuses none', () => {
    expect(normalizeMethods()).toEqual(['ours', 'fit']);
    expect(normalizeMethods(['fit', 'fit'])).toEqual(['fit']);
    expect(() => normalizeMethods([])).toThrow(/no methods/);
  });
});
