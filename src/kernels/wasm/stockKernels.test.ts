import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registerStockConv2DBackpropFilter,
  stockConv2DBackpropFilterRegistered,
  unregisterStockConv2DBackpropFilter,
} from './stockKernels';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels, wasmTrainingKernelsRegistered } from './trainingKernels';
import { onBackend, randoms, relError, size } from '../shared/testValues';

type Shape4 = [number, number, number, number];

/** dW of Σ conv2d(x, w) ⊙ r on the current backend (r fixed and random, so dy is not uniform). */
function filterGrad(x: Shape4, w: Shape4, strides: number, pad: 'same' | 'valid' | number): Float32Array {
  return tf.tidy(() => {
    const xt = tf.tensor4d(randoms(size(x), 3), x);
    const wt = tf.tensor4d(randoms(size(w), 4), w);
    const yShape = tf.conv2d(xt, wt, strides, pad).shape;
    const r = tf.tensor(randoms(size(yShape), 5), yShape);
    const dw = tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt, b as tf.Tensor4D, strides, pad), r)))(wt);
    return dw.dataSync() as Float32Array;
  });
}

describe('stock Conv2DBackpropFilter (Conv3DBackpropFilterV2 on a depth-1 view)', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined(); // what tfjs ships
    registerStockConv2DBackpropFilter();
    registerStockConv2DBackpropFilter(); // idempotent
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    { name: 'LeNet conv1, same', x: [2, 28, 28, 1] as Shape4, w: [5, 5, 1, 6] as Shape4, strides: 1, pad: 'same' as const },
    { name: 'LeNet conv2, valid', x: [2, 14, 14, 6] as Shape4, w: [5, 5, 6, 16] as Shape4, strides: 1, pad: 'valid' as const },
    { name: '3x3 same, odd size', x: [1, 7, 9, 3] as Shape4, w: [3, 3, 3, 4] as Shape4, strides: 1, pad: 'same' as const },
  ])('matches the cpu backend: $name', async ({ x, w, strides, pad }) => {
    expect(stockConv2DBackpropFilterRegistered()).toBe(true);
    const ref = await onBackend('cpu', () => filterGrad(x, w, strides, pad));
    const got = await onBackend('wasm', () => filterGrad(x, w, strides, pad));
    expect(relError(got, ref)).toBeLessThan(1e-4);
  });

  it('refuses explicit padding and strides > 1 instead of computing garbage', async () => {
    await tf.setBackend('wasm');
    expect(() => filterGrad([1, 6, 6, 1], [3, 3, 1, 2], 1, 1)).toThrow(/only 'same' and 'valid'/);
    // tfjs-backend-wasm's Conv3DBackpropFilterV2 gets strides > 1 wrong.
    expect(() => filterGrad([1, 7, 9, 3], [3, 3, 3, 4], 2, 'same')).toThrow(/only stride 1/);
  });

  it('coexists with the training kernels: ours on top, the stock one back after', () => {
    registerWasmTrainingKernels();
    expect(stockConv2DBackpropFilterRegistered()).toBe(false);
    expect(wasmTrainingKernelsRegistered().backpropFilter).toBe(true);
    unregisterWasmTrainingKernels();
    expect(stockConv2DBackpropFilterRegistered()).toBe(true);
    expect(wasmTrainingKernelsRegistered()).toEqual({ backpropFilter: false, backpropInput: false, batchMatMul: false, avgPoolGrad: false, gatherRows: false, convolution: false, identity: false, biasAdd: false, biasSum: false });

    unregisterStockConv2DBackpropFilter();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    // Replacing ours directly works too (no "already registered" error).
    registerWasmTrainingKernels();
    registerStockConv2DBackpropFilter();
    expect(stockConv2DBackpropFilterRegistered()).toBe(true);
    unregisterWasmTrainingKernels();
    expect(stockConv2DBackpropFilterRegistered()).toBe(true);
    // Ours is never removed by the stock unregister.
    registerWasmTrainingKernels();
    unregisterStockConv2DBackpropFilter();
    expect(wasmTrainingKernelsRegistered().backpropFilter).toBe(true);
    unregisterWasmTrainingKernels();
    registerStockConv2DBackpropFilter();
  });
});
