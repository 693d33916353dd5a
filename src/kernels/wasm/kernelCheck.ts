/**
 * Our wasm training kernels against tfjs's cpu backend, run where the unit
 * tests cannot reach: in the browser, with relaxed SIMD and the helper
 * workers (the benchmark page's checkWasmKernels, called by the e2e tests).
 * Expects 'wasm' to be the active backend with our kernels; switches to
 * 'cpu' for each reference and back.
 */
import * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from './backend';
import { readySimdHelpers, simdModule, simdThreads, simdVariantName } from './simd/simdModule';
import { CASES, conv2dGrads, GRAD_NAMES, randoms, relError, size, type Case } from '../shared/testValues';

export interface WasmKernelCheck {
  name: string;
  /** Worst error relative to the reference's scale, per value compared. */
  errors: Record<string, number>;
  tensorsLeaked: number;
}

export interface WasmKernelCheckResult {
  /** The module's build ('sharedRelaxed': shared memory, relaxed-SIMD FMA). */
  variant: string;
  threads: number;
  /** Helper workers that took part (threads − 1 where they can run). */
  helpers: number;
  cases: WasmKernelCheck[];
}

async function compare(name: string, run: () => Record<string, Float32Array>): Promise<WasmKernelCheck> {
  await tf.setBackend('cpu');
  const reference = run();
  await tf.setBackend('wasm');
  const before = tf.memory().numTensors;
  const ours = run();
  const errors = Object.fromEntries(Object.keys(reference).map((key) => [key, relError(ours[key], reference[key])]));
  return { name, errors, tensorsLeaked: tf.memory().numTensors - before };
}

const values = (t: tf.Tensor) => t.dataSync() as Float32Array;

/** Waits up to 5 s for the helper workers (they start with the first kernel call). */
async function helpersReady(): Promise<number> {
  const backend = asWasmBackend(tf.backend());
  simdModule(backend);
  for (let waited = 0; waited < 5000 && readySimdHelpers(backend) < simdThreads() - 1; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return readySimdHelpers(backend);
}

export async function checkWasmKernels(): Promise<WasmKernelCheckResult> {
  if (tf.getBackend() !== 'wasm') throw new Error('checkWasmKernels: the active backend is not wasm');
  const helpers = await helpersReady();
  const memory = simdModule(asWasmBackend(tf.backend()))?.memory;
  const variant = simdVariantName(memory?.buffer instanceof SharedArrayBuffer);
  const cases: WasmKernelCheck[] = [];
  // LeNet's layers at batch 128: work enough to be split over the helpers.
  const lenet: Case[] = [
    { name: 'LeNet conv1 at batch 128', x: [128, 28, 28, 1], w: [5, 5, 1, 6], strides: 1, pad: 'same' },
    { name: 'LeNet conv2 at batch 128', x: [128, 14, 14, 6], w: [5, 5, 6, 16], strides: 1, pad: 'valid' },
  ];
  for (const c of [...CASES, ...lenet]) {
    cases.push(await compare(`conv: ${c.name}`, () => {
      const g = conv2dGrads(c, 7);
      return Object.fromEntries(GRAD_NAMES.map((key) => [key, g[key]]));
    }));
  }
  const products: [number[], number[], boolean, boolean][] = [
    [[256, 400], [400, 120], false, false],
    [[256, 400], [256, 120], true, false],
    [[256, 120], [400, 120], false, true],
    [[37, 11], [5, 37], true, true],
  ];
  for (const [a, b, ta, tb] of products) {
    const columns = tb ? b[0] : b[1];
    cases.push(await compare(`matMul a[${a}] b[${b}] transposeA ${ta} transposeB ${tb}`, () => tf.tidy(() => {
      const [x, w] = [tf.tensor2d(randoms(size(a), 1), a as [number, number]), tf.tensor2d(randoms(size(b), 2), b as [number, number])];
      const bias = tf.tensor1d(randoms(columns, 3));
      return {
        product: values(tf.matMul(x, w, ta, tb)),
        fusedRelu: values(tf.fused.matMul({ a: x, b: w, transposeA: ta, transposeB: tb, bias, activation: 'relu' })),
      };
    })));
  }
  for (const [shape, window] of [[[256, 28, 28, 6], 2], [[64, 10, 10, 16], 2], [[7, 9, 12, 5], 3]] as const) {
    cases.push(await compare(`avgPool, bias add and sum of [${shape}]`, () => tf.tidy(() => {
      const x = tf.tensor4d(randoms(size(shape), 4), [...shape]);
      const r = tf.tensor(randoms(size(shape) / window ** 2, 5), [shape[0], shape[1] / window, shape[2] / window, shape[3]]);
      const pool = (v: tf.Tensor) => tf.avgPool(v as tf.Tensor4D, window, window, 'valid');
      return {
        pool: values(pool(x)),
        poolGrad: values(tf.grad((v) => tf.sum(tf.mul(pool(v), r)))(x)),
        biasAdd: values(tf.add(x, tf.tensor1d(randoms(shape[3], 6)))),
        biasSum: values(tf.sum(x, [0, 1, 2])),
      };
    })));
  }
  return { variant, threads: simdThreads(), helpers, cases };
}
