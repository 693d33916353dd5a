import { describe, expect, it } from 'vitest';
import { splitBatch, TERMS_PER_THREAD } from './conv2dBackpropFilter';

// The kernels themselves need a GPU backend: e2e/gpu-kernels.spec.ts runs them in Chromium.
describe('splitBatch', () => {
  it('cuts LeNet batches into whole images, about TERMS_PER_THREAD terms per thread', () => {
    // conv1: 28×28 outputs per image
    expect(splitBatch({ batchSize: 256, outHeight: 28, outWidth: 28 })).toEqual({ imagesPerChunk: 1, chunks: 256 });
    // conv2: 10×10 outputs per image
    expect(splitBatch({ batchSize: 256, outHeight: 10, outWidth: 10 })).toEqual({ imagesPerChunk: 10, chunks: 26 });
    expect(TERMS_PER_THREAD).toBe(1024);
  });

  it('covers every image exactly once, with the last chunk short', () => {
    for (const batchSize of [1, 7, 23, 255, 256, 1000]) {
      for (const side of [1, 3, 10, 28, 64]) {
        const { imagesPerChunk, chunks } = splitBatch({ batchSize, outHeight: side, outWidth: side });
        expect(imagesPerChunk).toBeGreaterThanOrEqual(1);
        expect(chunks * imagesPerChunk).toBeGreaterThanOrEqual(batchSize);
        expect((chunks - 1) * imagesPerChunk).toBeLessThan(batchSize);
      }
    }
  });

  it('stays sane for empty shapes', () => {
    expect(splitBatch({ batchSize: 0, outHeight: 5, outWidth: 5 })).toEqual({ imagesPerChunk: 1, chunks: 1 });
    expect(splitBatch({ batchSize: 4, outHeight: 0, outWidth: 0 })).toEqual({ imagesPerChunk: 4, chunks: 1 });
  });
});
