import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadDatasetFolder, type NamedBytes } from './datasetFolder';
import { DataFileError, encodeIdxImages, encodeIdxLabels, FASHION_MNIST_FILES } from './idx';
import { decodeOwnFiles } from './ownFiles';

/** `count` 28×28 images whose first pixel is `first + i`, so a split can be recognised. */
function images(name: string, count: number, first = 0, size = 28): NamedBytes {
  const pixels = new Uint8Array(count * size * size);
  for (let i = 0; i < count; i++) pixels[i * size * size] = first + i;
  return { name, bytes: encodeIdxImages(pixels, count, size, size) };
}

function labels(name: string, count: number, label = (i: number) => i % 10): NamedBytes {
  return { name, bytes: encodeIdxLabels(Uint8Array.from({ length: count }, (_, i) => label(i))) };
}

function gzipped(file: NamedBytes): NamedBytes {
  return { name: `${file.name}.gz`, bytes: new Uint8Array(gzipSync(file.bytes)) };
}

/** A training set of 6 images starting at pixel 100, a test set of 4 starting at 200. */
const SIX_AND_FOUR = [images('a', 6, 100), labels('b', 6), images('c', 4, 200), labels('d', 4)];

async function failure(files: NamedBytes[]): Promise<Error> {
  const error = await decodeOwnFiles(files).then(() => null, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('decodeOwnFiles', () => {
  it('tells the splits apart by magic and count, in any order, gzip\'d or raw', async () => {
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]];
    for (const [index, order] of orders.entries()) {
      const files = order.map((i) => (index % 2 ? gzipped(SIX_AND_FOUR[i]) : SIX_AND_FOUR[i]));
      const { train, test } = await decodeOwnFiles(files);
      expect([train.count, test.count]).toEqual([6, 4]);
      expect([train.images[0], test.images[0], test.images[784 * 3]]).toEqual([100, 200, 203]);
      expect(Array.from(test.labels)).toEqual([0, 1, 2, 3]);
    }
  });

  it('mixes gzip\'d and raw files', async () => {
    const files = [gzipped(SIX_AND_FOUR[0]), SIX_AND_FOUR[1], SIX_AND_FOUR[2], gzipped(SIX_AND_FOUR[3])];
    expect((await decodeOwnFiles(files)).train.count).toBe(6);
  });

  it('on equal counts, the file named test or t10k is the test one', async () => {
    const files = [images('t10k-images', 5, 200), labels('my-test-labels', 5, () => 7), images('imgs', 5, 100), labels('lbls', 5, () => 3)];
    const { train, test } = await decodeOwnFiles(files);
    expect([train.images[0], train.labels[0], test.images[0], test.labels[0]]).toEqual([100, 3, 200, 7]);
  });

  it('says so when equal counts and names leave the roles open', async () => {
    const error = await failure([images('x', 5), images('y', 5), labels('x-labels', 5), labels('y-labels', 5)]);
    expect(error.message).toBe('x and y both hold 5 images: put "test" or "t10k" in the name of the test one so it can be told from the training one.');
  });

  it('wants exactly four files', async () => {
    expect((await failure(SIX_AND_FOUR.slice(0, 3))).message).toBe(
      'Choose exactly four IDX files (training images and labels, test images and labels); got 3 (a, b, c).',
    );
    expect((await failure([])).message).toMatch(/got 0\.$/);
    expect((await failure([...SIX_AND_FOUR, labels('e', 4)])).message).toMatch(/got 5 \(a, b, c, d, e\)/);
  });

  it('wants two image files and two label files', async () => {
    const error = await failure([images('a', 6), labels('b', 6), labels('c', 4), labels('d', 4)]);
    expect(error.message).toBe(
      'Two of the four files must be IDX image files and two IDX label files, but 1 hold images (a) and 3 hold labels (b, c, d).',
    );
  });

  it('names a file that is neither', async () => {
    const error = await failure([images('a', 6), { name: 'notes.txt', bytes: new TextEncoder().encode('hello') }, images('c', 4), labels('d', 4)]);
    expect(error).toBeInstanceOf(DataFileError);
    expect(error.message).toMatch(/^notes\.txt: not gzip data/);
    const float = encodeIdxLabels(new Uint8Array(4));
    float[3] = 0x0d;
    const idx = await failure([images('a', 6), labels('b', 6), images('c', 4), { name: 'floats.idx', bytes: float }]);
    expect(idx.message).toBe('floats.idx: wrong magic number 2061 (expected 2051, an IDX image file, or 2049, an IDX label file)');
  });

  it('rejects images that are not 28×28', async () => {
    const error = await failure([images('big', 6, 0, 32), labels('b', 6), images('c', 4), labels('d', 4)]);
    expect(error.message).toBe('big: holds 32×32 images; LeNet needs 28×28');
  });

  it('names a label outside 0–9', async () => {
    const error = await failure([SIX_AND_FOUR[0], labels('b', 6, (i) => (i === 2 ? 12 : 1)), SIX_AND_FOUR[2], SIX_AND_FOUR[3]]);
    expect(error.message).toBe('b: label 12 at index 2 is outside 0–9');
  });

  it('names label and image files whose counts do not pair', async () => {
    const error = await failure([SIX_AND_FOUR[0], labels('b', 5), SIX_AND_FOUR[2], SIX_AND_FOUR[3]]);
    expect(error.message).toBe('b: count mismatch: 5 labels but a has 6 images');
    const equalLabels = await failure([SIX_AND_FOUR[0], labels('b', 4), SIX_AND_FOUR[2], SIX_AND_FOUR[3]]);
    expect(equalLabels.message).toMatch(/count mismatch: 4 labels but a has 6 images$/);
  });
});

describe('loadDatasetFolder', () => {
  it('reads the four standard names, gzip\'d or already inflated', async () => {
    const raw: Record<string, NamedBytes> = {
      [FASHION_MNIST_FILES.trainImages]: images('', 6, 100),
      [FASHION_MNIST_FILES.trainLabels]: labels('', 6),
      [FASHION_MNIST_FILES.testImages]: images('', 4, 200),
      [FASHION_MNIST_FILES.testLabels]: labels('', 4),
    };
    const read = async (name: string) => (name.startsWith('t10k') ? raw[name].bytes : new Uint8Array(gzipSync(raw[name].bytes)));
    const { train, test } = await loadDatasetFolder(read);
    expect([train.count, test.count, train.images[0], test.images[0]]).toEqual([6, 4, 100, 200]);
  });

  it('names the standard file that is not 28×28', async () => {
    const read = async (name: string) =>
      (name.includes('images') ? images(name, 2, 0, name.startsWith('t10k') ? 32 : 28) : labels(name, 2)).bytes;
    await expect(loadDatasetFolder(read)).rejects.toThrow('t10k-images-idx3-ubyte.gz: holds 32×32 images; LeNet needs 28×28');
  });
});
