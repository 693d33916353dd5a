import { describe, expect, it } from 'vitest';
import { DATASET_INFO } from '../../core/data/datasets';
import { cellTitle, firstOfClass, perClassRows, thumbnailName, thumbs } from './views';

const FASHION = DATASET_INFO.fashion.classNames;

describe('inspection view rules', () => {
  it('names a thumbnail by its class, the prediction and the confidence', () => {
    expect(thumbnailName(FASHION, 4, 2, 0.923)).toBe('Coat, predicted Pullover, 92.3% sure');
  });

  it('titles a cell, off and on the diagonal', () => {
    expect(cellTitle(FASHION, 4, 2, 87)).toBe('Coat predicted as Pullover: 87 images');
    expect(cellTitle(FASHION, 1, 1, 1)).toBe('Trouser predicted right: 1 image');
  });

  it('gives per-class accuracy and its change since the previous epoch', () => {
    const matrix = (hits: number) => Array.from({ length: 100 }, (_, i) => (i === 0 ? hits : i === 1 ? 10 - hits : 0));
    const rows = perClassRows(FASHION, matrix(8), matrix(5));
    expect(rows[0]).toEqual({ name: 'T-shirt/top', accuracy: 0.8, change: 0.8 - 0.5 });
    expect(rows[1].accuracy).toBeNaN();
    expect(perClassRows(FASHION, matrix(8), null)[0].change).toBeNaN();
  });

  it('splits a reply into thumbnails and finds the first of a class', () => {
    const reply = {
      type: 'images' as const, split: 'test' as const, indices: Int32Array.from([7, 9]), labels: Uint8Array.from([2, 4]),
      pixels: new Uint8Array(2 * 784).fill(3, 784), total: 2,
    };
    const list = thumbs(reply);
    expect(list.map((t) => [t.index, t.label, t.pixels[0], t.predicted])).toEqual([[7, 2, 0, null], [9, 4, 3, null]]);
    expect(firstOfClass(list, 4)?.index).toBe(9);
    expect(firstOfClass(list, 5)).toBeNull();
  });
});

describe('readableTextOn', () => {
  it('puts white on viridis dark end and black on its yellow end', async () => {
    const { readableTextOn } = await import('./views');
    expect(readableTextOn([68, 1, 84])).toBe('#fff');
    expect(readableTextOn([253, 231, 37])).toBe('#000');
  });
});

describe('mostLikely', () => {
  it('picks the highest probability, skips NaN, and says -1 for nothing', async () => {
    const { mostLikely } = await import('./views');
    expect(mostLikely([0.1, 0.7, 0.2])).toBe(1);
    expect(mostLikely([NaN, 0.2, 0.3])).toBe(2);
    expect(mostLikely([NaN, NaN])).toBe(-1);
    expect(mostLikely(null)).toBe(-1);
  });
});
