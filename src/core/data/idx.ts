// IDX decoding/encoding for (Fashion-)MNIST files.
//
// Pure: only ArrayBuffer / Uint8Array / DataView, so it runs unchanged in the
// page, the worker and Node. gzip is handled elsewhere (see gunzip.ts).
//
// IDX layout (all integers big-endian uint32):
//   images: magic 2051 (0x00000803), count, rows, cols, then count*rows*cols bytes
//   labels: magic 2049 (0x00000801), count, then count bytes

export const IDX_IMAGES_MAGIC = 0x00000803; // 2051
export const IDX_LABELS_MAGIC = 0x00000801; // 2049
export const IDX_IMAGES_HEADER_BYTES = 16;
export const IDX_LABELS_HEADER_BYTES = 8;

export const FASHION_MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

export const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const NUM_CLASSES = CLASS_NAMES.length;

/** A decoded image/label pair. `images` holds count*rows*cols bytes, row-major. */
export interface Dataset {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface IdxImages {
  images: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface IdxLabels {
  labels: Uint8Array;
  count: number;
}

/**
 * A data file that cannot be used. `message` always starts with the file name
 * ("train-images-idx3-ubyte.gz: wrong magic number ..."); `detail` is the
 * part after it.
 */
export class DataFileError extends Error {
  readonly detail: string;

  constructor(
    readonly fileName: string,
    message: string,
  ) {
    super(`${fileName}: ${message}`);
    this.name = 'DataFileError';
    this.detail = message;
  }
}

function asBytes(buffer: ArrayBuffer | Uint8Array): Uint8Array {
  return buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describeMagic(magic: number): string {
  if (magic === IDX_IMAGES_MAGIC) return ': this is an IDX image file';
  if (magic === IDX_LABELS_MAGIC) return ': this is an IDX label file';
  if (magic >>> 16 === 0x1f8b) return ': this looks like gzip data, decompress it first';
  return '';
}

function checkMagic(bytes: Uint8Array, fileName: string, expected: number, what: string, headerBytes: number): void {
  if (bytes.byteLength < 4) {
    throw new DataFileError(
      fileName,
      `truncated: the file has ${plural(bytes.byteLength, 'byte', 'bytes')}, shorter than the ${headerBytes}-byte ${what} header`,
    );
  }
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  if (magic !== expected) {
    throw new DataFileError(
      fileName,
      `wrong magic number ${magic} (expected ${expected}, an ${what} file)${describeMagic(magic)}`,
    );
  }
  if (bytes.byteLength < headerBytes) {
    throw new DataFileError(
      fileName,
      `truncated: the file has ${plural(bytes.byteLength, 'byte', 'bytes')}, shorter than the ${headerBytes}-byte ${what} header`,
    );
  }
}

function checkLength(fileName: string, actual: number, expected: number, says: string): void {
  if (actual < expected) {
    throw new DataFileError(
      fileName,
      `truncated: header says ${says} (${expected} bytes) but the file has ${actual} bytes`,
    );
  }
  if (actual > expected) {
    throw new DataFileError(
      fileName,
      `corrupt: header says ${says} (${expected} bytes) but the file has ${actual} bytes (${plural(actual - expected, 'extra trailing byte', 'extra trailing bytes')})`,
    );
  }
}

/**
 * What an uncompressed IDX file's header says it holds, read before decoding
 * it: files the learner brings are told apart by their contents, not their names.
 */
export function idxHeader(bytes: Uint8Array, fileName: string): { kind: 'images' | 'labels'; count: number } {
  if (bytes.byteLength < IDX_LABELS_HEADER_BYTES) {
    throw new DataFileError(
      fileName,
      `truncated: the file has ${plural(bytes.byteLength, 'byte', 'bytes')}, shorter than any IDX header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, IDX_LABELS_HEADER_BYTES);
  const magic = view.getUint32(0, false);
  if (magic !== IDX_IMAGES_MAGIC && magic !== IDX_LABELS_MAGIC) {
    throw new DataFileError(
      fileName,
      `wrong magic number ${magic} (expected ${IDX_IMAGES_MAGIC}, an IDX image file, or ${IDX_LABELS_MAGIC}, an IDX label file)${describeMagic(magic)}`,
    );
  }
  return { kind: magic === IDX_IMAGES_MAGIC ? 'images' : 'labels', count: view.getUint32(4, false) };
}

/** Decodes an uncompressed IDX image file (magic 2051). The pixels are copied. */
export function decodeIdxImages(buffer: ArrayBuffer | Uint8Array, fileName: string): IdxImages {
  const bytes = asBytes(buffer);
  checkMagic(bytes, fileName, IDX_IMAGES_MAGIC, 'IDX image', IDX_IMAGES_HEADER_BYTES);
  const view = new DataView(bytes.buffer, bytes.byteOffset, IDX_IMAGES_HEADER_BYTES);
  const count = view.getUint32(4, false);
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (rows === 0 || cols === 0) {
    throw new DataFileError(fileName, `corrupt: header says images of ${rows}×${cols}`);
  }
  const expected = IDX_IMAGES_HEADER_BYTES + count * rows * cols;
  checkLength(fileName, bytes.byteLength, expected, `${count} images of ${rows}×${cols}`);
  return { images: bytes.slice(IDX_IMAGES_HEADER_BYTES, expected), count, rows, cols };
}

/** Decodes an uncompressed IDX label file (magic 2049). The labels are copied. */
export function decodeIdxLabels(buffer: ArrayBuffer | Uint8Array, fileName: string): IdxLabels {
  const bytes = asBytes(buffer);
  checkMagic(bytes, fileName, IDX_LABELS_MAGIC, 'IDX label', IDX_LABELS_HEADER_BYTES);
  const count = new DataView(bytes.buffer, bytes.byteOffset, IDX_LABELS_HEADER_BYTES).getUint32(4, false);
  const expected = IDX_LABELS_HEADER_BYTES + count;
  checkLength(fileName, bytes.byteLength, expected, `${count} labels`);
  return { labels: bytes.slice(IDX_LABELS_HEADER_BYTES, expected), count };
}

/**
 * Decodes an image file and its label file (both uncompressed) and checks
 * that they belong together: same count, every label in 0–9.
 */
export function decodeIdxPair(
  images: ArrayBuffer | Uint8Array,
  labels: ArrayBuffer | Uint8Array,
  names: { imagesName: string; labelsName: string },
): Dataset {
  const img = decodeIdxImages(images, names.imagesName);
  const lab = decodeIdxLabels(labels, names.labelsName);
  if (img.count !== lab.count) {
    throw new DataFileError(
      names.labelsName,
      `count mismatch: ${plural(lab.count, 'label', 'labels')} but ${names.imagesName} has ${plural(img.count, 'image', 'images')}`,
    );
  }
  const l = lab.labels;
  for (let i = 0; i < l.length; i++) {
    if (l[i] >= NUM_CLASSES) {
      throw new DataFileError(names.labelsName, `label ${l[i]} at index ${i} is outside 0–${NUM_CLASSES - 1}`);
    }
  }
  return { images: img.images, labels: l, count: img.count, rows: img.rows, cols: img.cols };
}

function checkUint32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${name} must be an integer in 0–4294967295, got ${value}`);
  }
}

/** Encodes images (count*rows*cols bytes, row-major) as an uncompressed IDX image file. */
export function encodeIdxImages(images: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  checkUint32('count', count);
  checkUint32('rows', rows);
  checkUint32('cols', cols);
  if (images.length !== count * rows * cols) {
    throw new RangeError(
      `encodeIdxImages: ${count} images of ${rows}×${cols} need ${count * rows * cols} bytes, got ${images.length}`,
    );
  }
  const out = new Uint8Array(IDX_IMAGES_HEADER_BYTES + images.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_IMAGES_MAGIC, false);
  view.setUint32(4, count, false);
  view.setUint32(8, rows, false);
  view.setUint32(12, cols, false);
  out.set(images, IDX_IMAGES_HEADER_BYTES);
  return out;
}

/** Encodes labels (one byte each) as an uncompressed IDX label file. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  checkUint32('count', labels.length);
  const out = new Uint8Array(IDX_LABELS_HEADER_BYTES + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_LABELS_MAGIC, false);
  view.setUint32(4, labels.length, false);
  out.set(labels, IDX_LABELS_HEADER_BYTES);
  return out;
}
