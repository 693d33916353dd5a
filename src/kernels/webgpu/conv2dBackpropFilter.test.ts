import { describe, expect, it } from 'vitest';
import { DEFAULT_SPLIT_BUDGET, imagesPerPiece } from '../shared/gpu';
import { splitBatch, TERMS_PER_THREAD } from './conv2dBackpropFilter';

// The kernels themselves need a GPU backend: e2e/gpu-kernels.spec.ts runs them in Chromium.
describe('splitBatch', () => {
  it('cuts LeNet batches into whole images, about TERMS_PER_THREAD terms per thread', () => {
    // conv1: 28×28 outputs per image, 5·5·1·6 weights
    expect(splitBatch({ batchSize: 256, outHeight: 28, outWidth: 28 }, 150))
      .toEqual({ imagesPerChunk: 1, chunks: 256, budgetBound: false });
    // conv2: 10×10 outputs per image, 5·5·6·16 weights
    expect(splitBatch({ batchSize: 256, outHeight: 10, outWidth: 10 }, 2400))
      .toEqual({ imagesPerChunk: 10, chunks: 26, budgetBound: false });
    expect(TERMS_PER_THREAD).toBe(1024);
  });

  it('covers every image exactly once, with the last chunk short', () => {
    for (const batchSize of [1, 7, 23, 255, 256, 1000, 2048]) {
      for (const side of [1, 3, 10, 28, 64]) {
        for (const weights of [1, 150, 9 * 9 * 128 * 128]) {
          const { imagesPerChunk, chunks } = splitBatch({ batchSize, outHeight: side, outWidth: side }, weights);
          expect(imagesPerChunk).toBeGreaterThanOrEqual(1);
          expect(chunks * imagesPerChunk).toBeGreaterThanOrEqual(batchSize);
          expect((chunks - 1) * imagesPerChunk).toBeLessThan(batchSize);
        }
      }
    }
  });

  it('keeps the partial sums within the budget: larger chunks for large filters', () => {
    // A 9×9 filter of 128 → 128 channels at 28×28, batch 2048: one chunk per
    // image would be 2048 × 1.3 M partial sums.
    const weights = 9 * 9 * 128 * 128;
    const split = splitBatch({ batchSize: 2048, outHeight: 28, outWidth: 28 }, weights);
    expect(split.budgetBound).toBe(true);
    expect(split.chunks * weights).toBeLessThanOrEqual(DEFAULT_SPLIT_BUDGET);
    for (const budget of [1, 100, 5000, 2 ** 20]) {
      for (const batchSize of [1, 3, 23, 2048]) {
        const s = splitBatch({ batchSize, outHeight: 5, outWidth: 5 }, 54, budget);
        expect(s.chunks * 54 <= budget || s.chunks === 1).toBe(true);
      }
    }
    // A budget below one chunk's partial sums: the whole batch in one chunk.
    expect(splitBatch({ batchSize: 23, outHeight: 8, outWidth: 8 }, 54, 1)).toEqual({ imagesPerChunk: 23, chunks: 1, budgetBound: true });
  });

  it('stays sane for empty shapes', () => {
    expect(splitBatch({ batchSize: 0, outHeight: 5, outWidth: 5 })).toEqual({ imagesPerChunk: 1, chunks: 1, budgetBound: false });
    expect(splitBatch({ batchSize: 4, outHeight: 0, outWidth: 0 })).toEqual({ imagesPerChunk: 4, chunks: 1, budgetBound: false });
  });
});

describe('imagesPerPiece', () => {
  it('takes as many whole images as the budget allows, at most the batch; 0 when one image is past it', () => {
    expect(imagesPerPiece(256, 25 * 784)).toBe(256); // LeNet conv1's patches at batch 256: one piece
    expect(imagesPerPiece(2048, 25 * 784)).toBe(Math.floor(DEFAULT_SPLIT_BUDGET / (25 * 784)));
    // 9×9 filters of 128 channels: 28×28 outputs fit twice, 44×44 ones (behind padding layers) not once.
    expect(imagesPerPiece(2048, 9 * 9 * 128 * 28 * 28)).toBe(2);
    expect(imagesPerPiece(2048, 9 * 9 * 128 * 44 * 44)).toBe(0);
    expect(imagesPerPiece(23, 1152, 3000)).toBe(2);
    expect(imagesPerPiece(23, 1152, 1152)).toBe(1);
    expect(imagesPerPiece(23, 1152, 1151)).toBe(0);
    expect(imagesPerPiece(5, 0, 1)).toBe(5);
  });
});
