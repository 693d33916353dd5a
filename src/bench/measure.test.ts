import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFashionMnist, startWasmBackend } from '../../scripts/lib/node';
import type { Splits } from '../core/data/fashionMnist';
import { measureTraining } from './measure';

let data: Splits;

beforeAll(async () => {
  await startWasmBackend();
  data = await readFashionMnist();
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
    for (const method of [result.ours, result.fit]) {
      expect(method.roundsImagesPerSecond).toHaveLength(2);
      expect(method.imagesPerSecond).toBeGreaterThan(0);
      expect(method.msPerStep).toBeCloseTo((1000 * 32) / method.imagesPerSecond, 0);
      expect(method.trainLoss).toBeGreaterThan(0);
      expect(method.trainLoss).toBeLessThan(10);
      expect(method.tensorsLeakedPerRun).toBe(0);
    }
    expect(result.oursOverFit).toBeCloseTo(result.ours.imagesPerSecond / result.fit.imagesPerSecond, 6);
    expect(result.tensorsBefore).toBe(before);
    expect(result.tensorsAfter).toBe(before);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.peakHeapBytes).toBe(heap);
    expect(lines.filter((l) => l.startsWith('round'))).toEqual([
      expect.stringMatching(/^round 1\/2: ours/), expect.stringMatching(/^round 1\/2: model.fit/),
      expect.stringMatching(/^round 2\/2: model.fit/), expect.stringMatching(/^round 2\/2: ours/),
    ]);
  });
});
