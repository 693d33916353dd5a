/**
 * A split of the dataset on the device, uploaded once per run and kept in
 * compact form on GPUs: three 8-bit pixels per float32 value (lo + 256·mid +
 * 65536·hi < 2^24, which float32 holds exactly), one from each third of the
 * image: a third of the memory and upload of one float per pixel (60,000
 * images: 63 MB instead of 188 MB). Each batch is unpacked on the device by a
 * handful of elementwise ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/idx';
import { seededRandom, shuffledIndices } from '../data/shuffle';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../model/architecture';

export type PixelsPerValue = 1 | 3;

export interface DeviceSplit {
  /** [count, values per image]: pixels in 0…255, `pixelsPerValue` of them per value. */
  packed: tf.Tensor2D;
  labels: tf.Tensor1D;
  count: number;
  pixelsPerValue: PixelsPerValue;
  /** Which image of the dataset each row is, and its label, on the CPU: inspection maps results back through them. */
  rows: Int32Array;
  labelValues: Int32Array;
}

/** Chosen once, independent of the run's seed: `train=512` always means the same images. */
const SUBSET_SEED = 20_260_101;

/**
 * Three pixels per value on the GPU backends, where memory and upload are
 * scarce and the unpacking ops cost next to nothing; one on the CPU backends,
 * where unpacking is ~2% of a step (measured on wasm) and memory is plain RAM.
 * WebGL on half-float textures cannot hold 24-bit integers: one there too.
 */
function defaultPixelsPerValue(): PixelsPerValue {
  const backend = tf.getBackend();
  if (backend === 'webgpu') return 3;
  if (backend !== 'webgl') return 1;
  const env = tf.env();
  return env.getBool('WEBGL_RENDER_FLOAT32_ENABLED') && !env.getBool('WEBGL_FORCE_F16_TEXTURES') ? 3 : 1;
}

/**
 * Takes `count` images: all of them in file order, or a fixed random subset so
 * that a small run still sees every class (the files are grouped by class).
 */
export function toDevice(dataset: Dataset, count: number, pixelsPerValue: PixelsPerValue = defaultPixelsPerValue()): DeviceSplit {
  const n = Math.min(count, dataset.count);
  if (dataset.rows !== IMAGE_SIZE || dataset.cols !== IMAGE_SIZE) {
    throw new Error(`expected ${IMAGE_SIZE}×${IMAGE_SIZE} images, got ${dataset.rows}×${dataset.cols}`);
  }
  const order = n === dataset.count ? null : shuffledIndices(dataset.count, seededRandom(SUBSET_SEED));
  const width = Math.ceil(IMAGE_PIXELS / pixelsPerValue);
  const values = new Float32Array(n * width);
  const labels = new Int32Array(n);
  const rows = new Int32Array(n);
  const source = dataset.images;
  for (let i = 0; i < n; i++) {
    const image = order ? order[i] : i;
    const from = image * IMAGE_PIXELS;
    const to = i * width;
    if (pixelsPerValue === 1) {
      for (let v = 0; v < width; v++) values[to + v] = source[from + v];
    } else {
      // Planar: value v holds pixels v, v + width and v + 2·width (zero past the last).
      for (let v = 0; v < width; v++) {
        const high = v + 2 * width < IMAGE_PIXELS ? source[from + v + 2 * width] : 0;
        values[to + v] = source[from + v] + 256 * source[from + v + width] + 65536 * high;
      }
    }
    labels[i] = dataset.labels[image];
    rows[i] = image;
  }
  return {
    packed: tf.tensor2d(values, [n, width]),
    labels: tf.tensor1d(labels, 'int32'),
    count: n,
    pixelsPerValue,
    rows,
    labelValues: labels.slice(),
  };
}

/** [n, values] packed rows → [n, 28, 28, 1] images in [0, 1]. */
function unpack(rows: tf.Tensor2D, pixelsPerValue: PixelsPerValue): tf.Tensor4D {
  return tf.tidy(() => {
    const n = rows.shape[0];
    let pixels: tf.Tensor2D = rows;
    if (pixelsPerValue === 3) {
      // Multiplying by powers of two and flooring is exact in float32.
      const hi = tf.floor(tf.mul(rows, 1 / 65536));
      const rest = tf.sub(rows, tf.mul(hi, 65536));
      const mid = tf.floor(tf.mul(rest, 1 / 256));
      const lo = tf.sub(rest, tf.mul(mid, 256));
      // Planar, so rows join end to end (a concat along the last axis of 2-D
      // rows is a few copies; interleaving with stack was 25 ms a batch on wasm).
      pixels = tf.concat([lo, mid, hi], 1).slice([0, 0], [n, IMAGE_PIXELS]) as tf.Tensor2D;
    }
    return tf.div(pixels, 255).reshape([n, IMAGE_SIZE, IMAGE_SIZE, 1]) as tf.Tensor4D;
  });
}

/** The images at `indices` (a batch), unpacked. */
export function gatherImages(split: DeviceSplit, indices: tf.Tensor1D): tf.Tensor4D {
  return tf.tidy(() => unpack(tf.gather(split.packed, indices), split.pixelsPerValue));
}

/** Images start … start + size − 1, unpacked. */
export function sliceImages(split: DeviceSplit, start: number, size: number): tf.Tensor4D {
  return tf.tidy(() => unpack(split.packed.slice([start, 0], [size, -1]), split.pixelsPerValue));
}

export function disposeSplit(split: DeviceSplit): void {
  split.packed.dispose();
  split.labels.dispose();
}
