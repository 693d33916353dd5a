import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../data/idx';
import { disposeSplit, gatherImages, sliceImages, toDevice, type PixelsPerValue } from './deviceSplit';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Images whose pixels run through every byte value at every position of a packed value. */
function dataset(count: number): Dataset {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7 + Math.floor(i / 784) * 13) % 256;
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, rows: 28, cols: 28 };
}

describe('toDevice', () => {
  const source = dataset(5);

  for (const pixelsPerValue of [3, 1] as PixelsPerValue[]) {
    it(`holds ${pixelsPerValue} pixel(s) per value and gives back every pixel exactly, as x / 255`, () => {
      const split = toDevice(source, source.count, pixelsPerValue);
      expect(split.packed.shape).toEqual([5, Math.ceil(784 / pixelsPerValue)]);
      const all = sliceImages(split, 0, 5);
      expect(all.shape).toEqual([5, 28, 28, 1]);
      const expected = Float32Array.from(source.images, (p) => Math.fround(p / 255));
      expect(Array.from(all.dataSync())).toEqual(Array.from(expected));
      // A batch in another order: images 4 and 1.
      const order = tf.tensor1d([4, 1], 'int32');
      const batch = gatherImages(split, order);
      expect(Array.from(batch.dataSync())).toEqual([...expected.subarray(4 * 784, 5 * 784), ...expected.subarray(784, 2 * 784)]);
      expect(Array.from(split.labels.dataSync())).toEqual([0, 1, 2, 3, 4]);
      tf.dispose([all, batch, order]);
      disposeSplit(split);
    });
  }

  it('packs three pixels per value into a third of the memory', () => {
    const before = tf.memory().numBytes;
    const packed = toDevice(source, source.count, 3);
    expect(tf.memory().numBytes - before).toBe(5 * 262 * 4 + 5 * 4);
    disposeSplit(packed);
    // The cpu backend's default: one per value (unpacking costs more than RAM here).
    const plain = toDevice(source, source.count);
    expect(plain.pixelsPerValue).toBe(1);
    expect(tf.memory().numBytes - before).toBe(5 * 784 * 4 + 5 * 4);
    disposeSplit(plain);
  });

  it('frees the intermediates of unpacking', () => {
    const split = toDevice(source, source.count);
    const indices = tf.tensor1d([0], 'int32');
    const before = tf.memory().numTensors;
    sliceImages(split, 1, 2).dispose();
    gatherImages(split, indices).dispose();
    indices.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    disposeSplit(split);
  });
});
