import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gunzip } from './gunzip';
import {
  CLASS_NAMES,
  DataFileError,
  FASHION_MNIST_FILES,
  decodeIdxImages,
  decodeIdxLabels,
  decodeIdxPair,
  encodeIdxImages,
  encodeIdxLabels,
} from './idx';

const IMG = FASHION_MNIST_FILES.trainImages;
const LAB = FASHION_MNIST_FILES.trainLabels;

/** Raw header bytes: big-endian uint32s. */
function header(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, false));
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function catchError(fn: () => unknown): DataFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return error as DataFileError;
  }
  throw new Error('expected a DataFileError, nothing was thrown');
}

async function catchAsync(promise: Promise<unknown>): Promise<DataFileError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DataFileError);
    return error as DataFileError;
  }
  throw new Error('expected a DataFileError, nothing was thrown');
}

describe('constants', () => {
  it('names the ten classes in label order and the four canonical files', () => {
    expect(CLASS_NAMES).toHaveLength(10);
    expect(CLASS_NAMES[0]).toBe('T-shirt/top');
    expect(CLASS_NAMES[9]).toBe('Ankle boot');
    expect(Object.values(FASHION_MNIST_FILES)).toEqual([
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ]);
  });
});

describe('encode', () => {
  it('writes the big-endian IDX headers', () => {
    const images = encodeIdxImages(new Uint8Array([1, 2, 3, 4, 5, 6]), 2, 1, 3);
    expect(Array.from(images)).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    const labels = encodeIdxLabels(new Uint8Array([7, 9]));
    expect(Array.from(labels)).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
  });

  it('refuses pixels that do not match count×rows×cols', () => {
    expect(() => encodeIdxImages(new Uint8Array(5), 2, 1, 3)).toThrow(RangeError);
  });
});

describe('round trip', () => {
  it('decode(encode(x)) = x for images, labels and pairs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        (count, rows, cols, pixelStream, labelStream) => {
          const pixels = Uint8Array.from(pixelStream.take(count * rows * cols));
          const labels = Uint8Array.from(labelStream.take(count));
          const img = encodeIdxImages(pixels, count, rows, cols);
          const lab = encodeIdxLabels(labels);

          const decoded = decodeIdxImages(img, IMG);
          expect(decoded).toEqual({ images: pixels, count, rows, cols });
          expect(decodeIdxLabels(lab, LAB)).toEqual({ labels, count });

          // ArrayBuffer input and a Uint8Array view at a non-zero offset both work.
          expect(decodeIdxImages(img.slice().buffer, IMG).images).toEqual(pixels);
          const padded = concat(new Uint8Array(3), lab).subarray(3);
          expect(decodeIdxLabels(padded, LAB).labels).toEqual(labels);

          const pair = decodeIdxPair(img, lab, { imagesName: IMG, labelsName: LAB });
          expect(pair).toEqual({ images: pixels, labels, count, rows, cols });
        },
      ),
    );
  });

  it('copies the data out of the input buffer', () => {
    const img = encodeIdxImages(new Uint8Array([10, 20, 30, 40]), 1, 2, 2);
    const decoded = decodeIdxImages(img, IMG);
    img[16] = 99;
    expect(decoded.images[0]).toBe(10);
    expect(decoded.images.byteOffset).toBe(0);
    expect(decoded.images.buffer.byteLength).toBe(4);
  });
});

describe('decode errors name the file', () => {
  const good = encodeIdxImages(new Uint8Array(2 * 28 * 28), 2, 28, 28);

  it('wrong magic number in an image file', () => {
    const err = catchError(() => decodeIdxImages(encodeIdxLabels(new Uint8Array(4)), IMG));
    expect(err.fileName).toBe(IMG);
    expect(err.message).toMatch(
      /^train-images-idx3-ubyte\.gz: wrong magic number 2049 \(expected 2051, an IDX image file\)/,
    );
  });

  it('wrong magic number in a label file', () => {
    const err = catchError(() => decodeIdxLabels(good, LAB));
    expect(err.message).toMatch(/^train-labels-idx1-ubyte\.gz: wrong magic number 2051 \(expected 2049, an IDX label file\)/);
  });

  it('gzip data passed as IDX is recognised', () => {
    const err = catchError(() => decodeIdxImages(gzipSync(good), IMG));
    expect(err.message).toContain('gzip');
    expect(err.message).toMatch(/^train-images-idx3-ubyte\.gz: wrong magic number/);
  });

  it('truncated pixel data', () => {
    const err = catchError(() => decodeIdxImages(good.subarray(0, 1234), IMG));
    expect(err.message).toBe(
      'train-images-idx3-ubyte.gz: truncated: header says 2 images of 28×28 (1584 bytes) but the file has 1234 bytes',
    );
  });

  it('header only, with a non-zero count', () => {
    const err = catchError(() => decodeIdxImages(header(2051, 60000, 28, 28), IMG));
    expect(err.message).toBe(
      'train-images-idx3-ubyte.gz: truncated: header says 60000 images of 28×28 (47040016 bytes) but the file has 16 bytes',
    );
    const lab = catchError(() => decodeIdxLabels(header(2049, 3), LAB));
    expect(lab.message).toBe('train-labels-idx1-ubyte.gz: truncated: header says 3 labels (11 bytes) but the file has 8 bytes');
  });

  it('header only, with count 0, is an empty data set', () => {
    expect(decodeIdxImages(header(2051, 0, 28, 28), IMG)).toEqual({ images: new Uint8Array(0), count: 0, rows: 28, cols: 28 });
    expect(decodeIdxLabels(header(2049, 0), LAB)).toEqual({ labels: new Uint8Array(0), count: 0 });
  });

  it('shorter than the header is truncated', () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array([0, 0, 8]), header(2051, 1, 28)]) {
      const err = catchError(() => decodeIdxImages(bytes, IMG));
      expect(err.message).toMatch(/^train-images-idx3-ubyte\.gz: truncated: .*shorter than the 16-byte IDX image header/);
    }
    const err = catchError(() => decodeIdxLabels(header(2049), LAB));
    expect(err.message).toMatch(/^train-labels-idx1-ubyte\.gz: truncated: the file has 4 bytes, shorter than the 8-byte/);
  });

  it('extra trailing bytes are corrupt', () => {
    const err = catchError(() => decodeIdxImages(concat(good, new Uint8Array(4)), IMG));
    expect(err.message).toBe(
      'train-images-idx3-ubyte.gz: corrupt: header says 2 images of 28×28 (1584 bytes) but the file has 1588 bytes (4 extra trailing bytes)',
    );
    const lab = catchError(() => decodeIdxLabels(concat(encodeIdxLabels(new Uint8Array(2)), new Uint8Array(1)), LAB));
    expect(lab.message).toMatch(/^train-labels-idx1-ubyte\.gz: corrupt: .*\(1 extra trailing byte\)$/);
  });

  it('zero-sized images are corrupt', () => {
    const err = catchError(() => decodeIdxImages(header(2051, 5, 0, 28), IMG));
    expect(err.message).toMatch(/^train-images-idx3-ubyte\.gz: corrupt/);
  });

  it('count mismatch names both files', () => {
    const err = catchError(() =>
      decodeIdxPair(good, encodeIdxLabels(new Uint8Array(3)), { imagesName: IMG, labelsName: LAB }),
    );
    expect(err.fileName).toBe(LAB);
    expect(err.message).toBe(
      'train-labels-idx1-ubyte.gz: count mismatch: 3 labels but train-images-idx3-ubyte.gz has 2 images',
    );
  });

  it('label outside 0–9', () => {
    const labels = new Uint8Array([0, 1, 2, 3, 4, 12, 9]);
    const images = encodeIdxImages(new Uint8Array(7), 7, 1, 1);
    const err = catchError(() => decodeIdxPair(images, encodeIdxLabels(labels), { imagesName: IMG, labelsName: LAB }));
    expect(err.message).toBe('train-labels-idx1-ubyte.gz: label 12 at index 5 is outside 0–9');
    labels[5] = 10; // just past the boundary
    expect(() => decodeIdxPair(images, encodeIdxLabels(labels), { imagesName: IMG, labelsName: LAB })).toThrow(
      'label 10 at index 5 is outside 0–9',
    );
    labels[5] = 9; // the boundary is allowed
    expect(decodeIdxPair(images, encodeIdxLabels(labels), { imagesName: IMG, labelsName: LAB }).count).toBe(7);
  });

  it('errors inside decodeIdxPair name the file that is wrong', () => {
    const err = catchError(() =>
      decodeIdxPair(good, good, { imagesName: 'a-images.gz', labelsName: 'a-labels.gz' }),
    );
    expect(err.fileName).toBe('a-labels.gz');
  });
});

describe('gunzip', () => {
  const payload = encodeIdxImages(Uint8Array.from({ length: 300 * 784 }, (_, i) => (i * 31) % 256), 300, 28, 28);

  it('decompresses gzip data (larger than one stream chunk)', async () => {
    const out = await gunzip(gzipSync(payload), IMG);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(out.byteOffset).toBe(0);
    expect(Buffer.from(out).equals(Buffer.from(payload))).toBe(true);
  });

  it('corrupt gzip data gives DataFileError naming the file', async () => {
    const gz = gzipSync(payload);
    gz.fill(0x55, 20, 60);
    const err = await catchAsync(gunzip(gz, 't10k-images-idx3-ubyte.gz'));
    expect(err.fileName).toBe('t10k-images-idx3-ubyte.gz');
    expect(err.message).toMatch(/^t10k-images-idx3-ubyte\.gz: corrupt or truncated gzip data/);
  });

  it('truncated gzip data gives DataFileError naming the file', async () => {
    const gz = gzipSync(payload);
    const err = await catchAsync(gunzip(gz.subarray(0, gz.length - 100), IMG));
    expect(err.message).toMatch(/^train-images-idx3-ubyte\.gz: corrupt or truncated gzip data/);
  });

  it('data that is not gzip at all', async () => {
    const err = await catchAsync(gunzip(payload, IMG));
    expect(err.message).toBe(
      'train-images-idx3-ubyte.gz: not gzip data (starts with 00 00 08 03, expected 1f 8b): it looks like an uncompressed IDX file',
    );
    const empty = await catchAsync(gunzip(new Uint8Array(0), LAB));
    expect(empty.message).toBe('train-labels-idx1-ubyte.gz: not gzip data: the file is empty');
  });
});
