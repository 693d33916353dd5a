/**
 * Deterministic inputs, shared cases and a tolerance measure for the kernel
 * tests and the benchmark page's kernel check (not used by the app).
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2DBackpropFilter } from '@tensorflow/tfjs';
import { product } from './checks';

/** Makes `name` the active backend, then runs `f` on it. */
export async function onBackend<T>(name: 'cpu' | 'wasm', f: () => T): Promise<T> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not initialise`);
  return f();
}

/** Deterministic pseudo-random values in [-1, 1). */
export function randoms(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const size = product;

export function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** Worst |a − b| relative to the reference's scale; Infinity on length mismatch. */
export function relError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  const scale = Math.max(maxAbs(expected), 1e-12);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) worst = d; // catches NaN
  }
  return worst / scale;
}

export type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

export interface Case {
  name: string;
  x: [number, number, number, number];
  /** [KH, KW, CI, CO] */
  w: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

export const CASES: Case[] = [
  { name: 'LeNet conv1 shape, same', x: [3, 28, 28, 1], w: [5, 5, 1, 6], strides: 1, pad: 'same' },
  { name: 'LeNet conv2 shape, valid', x: [3, 14, 14, 6], w: [5, 5, 6, 16], strides: 1, pad: 'valid' },
  { name: '1x1 kernel, 1 filter', x: [1, 5, 7, 3], w: [1, 1, 3, 1], strides: 1, pad: 'valid' },
  { name: '1x1 kernel, stride 2', x: [3, 6, 5, 3], w: [1, 1, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 same non-square', x: [3, 9, 6, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3 valid stride 2, leftover rows', x: [3, 10, 7, 3], w: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { name: '3x3 same stride 2 odd size', x: [1, 7, 9, 6], w: [3, 3, 6, 16], strides: 2, pad: 'same' },
  { name: '5x5 explicit number padding 2 (PyTorch style)', x: [3, 12, 10, 1], w: [5, 5, 1, 4], strides: 1, pad: 2 },
  { name: 'one input channel, stride 2', x: [3, 9, 8, 1], w: [3, 3, 1, 4], strides: 2, pad: 'same' },
  { name: '5x5 explicit padding 1, stride 2', x: [1, 11, 13, 3], w: [5, 5, 3, 1], strides: 2, pad: 1 },
  {
    name: 'asymmetric explicit padding, mixed strides',
    x: [3, 8, 11, 3],
    w: [3, 5, 3, 4],
    strides: [2, 1],
    pad: [[0, 0], [2, 0], [1, 3], [0, 0]],
  },
  { name: 'rectangular kernel same', x: [1, 6, 8, 6], w: [5, 3, 6, 4], strides: [1, 2], pad: 'same' },
  // Padding larger than the filter: the input gradient falls back to the
  // backend's own kernel.
  { name: 'padding larger than the kernel', x: [1, 4, 5, 3], w: [1, 1, 3, 4], strides: 1, pad: 2 },
  // The GPU filter gradient sums chunks of 16 such images: 2 chunks, the last short.
  { name: 'batch of 23, split into chunks', x: [23, 10, 10, 2], w: [3, 3, 2, 3], strides: 1, pad: 'valid' },
  // Geometries the architecture editor makes beyond LeNet's (kernel 1–9, stride
  // 1–3, 1–128 channels, 'same' or 'valid'), small enough for CI.
  { name: 'kernel 3 same, 32 → 64 channels, batch 1', x: [1, 6, 6, 32], w: [3, 3, 32, 64], strides: 1, pad: 'same' },
  { name: 'kernel 3 valid stride 2, 64 → 32 channels', x: [2, 7, 7, 64], w: [3, 3, 64, 32], strides: 2, pad: 'valid' },
  { name: 'kernel 7 same, 1 → 32 channels, batch 1', x: [1, 12, 12, 1], w: [7, 7, 1, 32], strides: 1, pad: 'same' },
  { name: 'kernel 7 same stride 2, 32 → 64 channels', x: [2, 7, 7, 32], w: [7, 7, 32, 64], strides: 2, pad: 'same' },
  { name: 'kernel 7 valid stride 2, 64 channels, batch 1', x: [1, 9, 9, 64], w: [7, 7, 64, 64], strides: 2, pad: 'valid' },
  { name: 'kernel 7 valid to a 1×1 output, 32 → 64 channels', x: [2, 7, 7, 32], w: [7, 7, 32, 64], strides: 1, pad: 'valid' },
  { name: 'kernel 9 valid stride 3, 3 channels', x: [2, 14, 14, 3], w: [9, 9, 3, 8], strides: 3, pad: 'valid' },
  { name: 'kernel 3 same stride 3, 1 channel, batch 1', x: [1, 28, 28, 1], w: [3, 3, 1, 32], strides: 3, pad: 'same' },
  { name: '1×1 input, kernel 1, 64 → 32 channels', x: [3, 1, 1, 64], w: [1, 1, 64, 32], strides: 1, pad: 'valid' },
  // Padding layers make images larger than 28×28 (28 + 2·4 per padded layer):
  // more than 1000 output positions per image.
  { name: 'zero-padded 36×36 input, kernel 1, one channel', x: [2, 36, 36, 1], w: [1, 1, 1, 3], strides: 1, pad: 'valid' },
  { name: 'zero-padded 44×44 input, kernel 5 stride 2', x: [2, 44, 44, 3], w: [5, 5, 3, 4], strides: 2, pad: 'valid' },
  { name: 'batch of 2048, small images', x: [2048, 3, 3, 2], w: [2, 2, 2, 3], strides: 1, pad: 'valid' },
];

/**
 * Cases the GPU kernel check runs through the forward convolution only: the
 * full comparison (tfjs's own gradients as the reference) takes tens of
 * seconds on them on SwiftShader.
 */
export const FORWARD_ONLY_CASES: Case[] = [
  // The largest batch: 2048 · 8·8 · 33 outputs, one thread each, need more than 65,535 WebGPU workgroups of 64.
  { name: 'batch of 2048, 33 filters, kernel 1', x: [2048, 8, 8, 1], w: [1, 1, 1, 33], strides: 1, pad: 'valid' },
];

/**
 * Cases the GPU kernel check runs again with a small split budget
 * (./gpu.ts), so the kernels take the paths that large batches
 * and filters take: the batch in pieces and tfjs's own kernel where one image
 * is past the budget (WebGL), fewer, larger chunks (WebGPU).
 */
export const SPLIT_CASES: { name: string; budget: number }[] = [
  // WebGL: one image is past the budget, tfjs's kernels (its direct forward); WebGPU: 2 chunks (2 + 1 images) instead of 3.
  { name: 'LeNet conv1 shape, same', budget: 300 },
  // WebGL: pieces of 2 images and a last one of 1.
  { name: 'LeNet conv1 shape, same', budget: 40_000 },
  // WebGL: 12 pieces, the last of 1 image.
  { name: 'batch of 23, split into chunks', budget: 2500 },
  // WebGPU: one chunk of all 23 images.
  { name: 'batch of 23, split into chunks', budget: 100 },
  // WebGL: the forward in one piece (its patches kept), the filter gradient in pieces of the kept patches.
  { name: 'kernel 3 valid stride 2, 64 → 32 channels', budget: 20_000 },
  // WebGL: forward and input gradient in pieces, the filter gradient (K·CO = 100,352 per image) tfjs's.
  { name: 'kernel 7 same stride 2, 32 → 64 channels', budget: 30_000 },
];

/** The case named `name`. */
export function caseNamed(name: string): Case {
  const found = CASES.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no kernel test case named '${name}'`);
  return found;
}

/** The values in Grads, each compared between backends by the kernel tests. */
export const GRAD_NAMES = ['y', 'fusedY', 'dBias', 'dx', 'dw', 'dwOtherInput'] as const;
type GradName = (typeof GRAD_NAMES)[number];

export interface Grads {
  /** The forward output, conv2d(x, w). */
  y: Float32Array;
  /** relu(conv2d(x, w) + b) through the fused kernel (FusedConv2D), as a conv layer with a bias runs it. */
  fusedY: Float32Array;
  /** The gradient of Σ fusedY ⊙ r with respect to b: dy summed over images and positions. */
  dBias: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  /**
   * Conv2DBackpropFilter alone for another input of x's shape (−x/2), right
   * after a forward pass of x recorded for a gradient: a kernel that reused
   * the forward's work for the wrong input would get this wrong.
   */
  dwOtherInput: Float32Array;
  dyShape: number[];
}

/**
 * conv2d(x, w) and the gradients of Σ conv2d(x, w) ⊙ r on the current
 * backend, where r is a fixed random tensor (so dy is not uniform, which
 * would hide index mistakes), and the other values of Grads. The caller
 * disposes the tensors.
 */
function conv2dGradTensors(c: Case, seed: number): Record<GradName, tf.Tensor> {
  return tf.tidy(() => {
    const x = tf.tensor4d(randoms(size(c.x), seed), c.x);
    const w = tf.tensor4d(randoms(size(c.w), seed + 1), c.w);
    const y = tf.conv2d(x, w, c.strides, c.pad);
    const r = tf.tensor(randoms(size(y.shape), seed + 2), y.shape);
    const otherInput = tf.mul(x, -0.5);
    let dwOtherInput: tf.Tensor | undefined;
    tf.grad((filter) => {
      // A forward pass of x while a gradient is recorded, then the kernel on another input.
      const recorded = tf.conv2d(x, filter as tf.Tensor4D, c.strides, c.pad);
      dwOtherInput = tf.keep(tf.engine().runKernel(Conv2DBackpropFilter, { x: otherInput, dy: r }, {
        strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.w,
      }) as tf.Tensor);
      return tf.sum(tf.mul(recorded, r));
    })(w);
    const bias = tf.tensor1d(randoms(c.w[3], seed + 3));
    const fused = (b: tf.Tensor) => tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, bias: b, activation: 'relu' });
    const fusedY = fused(bias);
    const dBias = tf.grad((b) => tf.sum(tf.mul(fused(b), r)))(bias);
    const g = tf.grads((a, b) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)));
    const [dx, dw] = g([x, w]);
    return { y, fusedY, dBias, dx, dw, dwOtherInput: dwOtherInput! };
  });
}

function gradsFrom(tensors: Record<GradName, tf.Tensor>, values: Float32Array[]): Grads {
  const grads = Object.fromEntries(GRAD_NAMES.map((name, i) => [name, values[i]])) as Record<GradName, Float32Array>;
  return { ...grads, dyShape: tensors.y.shape };
}

/** conv2dGradTensors read back synchronously (cpu, wasm). */
export function conv2dGrads(c: Case, seed: number): Grads {
  const tensors = conv2dGradTensors(c, seed);
  try {
    return gradsFrom(tensors, GRAD_NAMES.map((name) => tensors[name].dataSync() as Float32Array));
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** conv2dGradTensors read back asynchronously: WebGPU in Chromium has no working synchronous read. */
export async function readConv2dGrads(c: Case, seed: number): Promise<Grads> {
  const tensors = conv2dGradTensors(c, seed);
  try {
    return gradsFrom(tensors, await Promise.all(GRAD_NAMES.map((name) => tensors[name].data() as Promise<Float32Array>)));
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

export const TOL = 1e-4;

export const POOLS: { x: [number, number, number, number]; size: number | [number, number]; strides: number | [number, number]; pad: 'same' | 'valid' | number }[] = [
  { x: [3, 28, 28, 6], size: 2, strides: 2, pad: 'valid' }, // LeNet
  { x: [2, 10, 10, 16], size: 2, strides: 2, pad: 'valid' },
  { x: [2, 28, 28, 6], size: 5, strides: 2, pad: 2 }, // the DJL preset's pool
  { x: [1, 7, 9, 3], size: 3, strides: 2, pad: 'same' },
  { x: [2, 6, 5, 2], size: [2, 3], strides: [1, 2], pad: 'valid' },
  { x: [1, 5, 6, 4], size: 3, strides: 1, pad: 'same' },
  { x: [2, 7, 9, 3], size: 2, strides: 2, pad: 'valid' }, // leftover row and column
  // The editor's pools: window 1–9, stride 1–3, 'valid'.
  { x: [1, 28, 28, 32], size: 9, strides: 3, pad: 'valid' },
  { x: [2, 7, 7, 64], size: 3, strides: 1, pad: 'valid' },
  { x: [1, 8, 8, 32], size: 7, strides: 2, pad: 'valid' },
  { x: [2, 5, 5, 3], size: 1, strides: 3, pad: 'valid' }, // gaps between windows
  { x: [1, 3, 3, 64], size: 3, strides: 2, pad: 'valid' }, // a 1×1 output
];

/** The gradient of Σ avgPool(x) ⊙ r on the current backend, r a fixed random tensor. */
export function avgPoolGrads(p: (typeof POOLS)[number]): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(randoms(size(p.x), 3), p.x);
    const yShape = tf.avgPool(x, p.size, p.strides, p.pad).shape;
    const r = tf.tensor(randoms(size(yShape), 4), yShape);
    const dx = tf.grad((a) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, p.size, p.strides, p.pad), r)))(x);
    return dx.dataSync() as Float32Array;
  });
}
