import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { cpuTrainingKernelsRegistered } from './cpu/trainingKernels';
import { compiledStepFor, prepareBackend, registerTrainingKernels, unregisterTrainingKernels } from './prepareBackend';
import { stockConv2DBackpropFilterRegistered } from './wasm/stockKernels';
import { wasmTrainingKernelsRegistered } from './wasm/trainingKernels';

const allOurs = (registered: Record<string, boolean>) => Object.values(registered).every(Boolean);
const noneOurs = (registered: Record<string, boolean>) => !Object.values(registered).some(Boolean);

describe('prepareBackend', () => {
  it('starts cpu with our kernels, or with tfjs\'s own as shipped', async () => {
    await expect(prepareBackend('cpu', { kernels: 'ours' })).resolves.toEqual({ backend: 'cpu', kernels: 'ours', compiledStep: false, adapter: null });
    expect(tf.getBackend()).toBe('cpu');
    expect(cpuTrainingKernelsRegistered()).toBe(true);
    await prepareBackend('cpu', { kernels: 'as-shipped' });
    expect(cpuTrainingKernelsRegistered()).toBe(false);
    await prepareBackend('cpu', { kernels: 'ours' });
    expect(cpuTrainingKernelsRegistered()).toBe(true);
  });

  it('starts wasm with our kernels, or as shipped with only the minimal filter gradient added', async () => {
    await prepareBackend('wasm', { kernels: 'ours' });
    expect(tf.getBackend()).toBe('wasm');
    expect(allOurs(wasmTrainingKernelsRegistered())).toBe(true);
    expect(stockConv2DBackpropFilterRegistered()).toBe(false);

    await prepareBackend('wasm', { kernels: 'as-shipped' });
    expect(noneOurs(wasmTrainingKernelsRegistered())).toBe(true);
    expect(stockConv2DBackpropFilterRegistered()).toBe(true);
    // As shipped, the wasm backend runs its single-threaded build.
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);

    // Ours again: the stock kernel is not left underneath ours.
    await prepareBackend('wasm', { kernels: 'ours' });
    expect(allOurs(wasmTrainingKernelsRegistered())).toBe(true);
    unregisterTrainingKernels('wasm');
    expect(noneOurs(wasmTrainingKernelsRegistered())).toBe(true);
    expect(stockConv2DBackpropFilterRegistered()).toBe(false);
    registerTrainingKernels('wasm');
    expect(allOurs(wasmTrainingKernelsRegistered())).toBe(true);
  });

  it('trains a step on wasm as shipped (the baseline needs the minimal filter gradient)', async () => {
    await prepareBackend('wasm', { kernels: 'as-shipped' });
    const x = tf.randomUniform([2, 6, 6, 1]) as tf.Tensor4D;
    const w = tf.variable(tf.randomUniform([3, 3, 1, 2]));
    const { grads } = tf.variableGrads(() => tf.conv2d(x, w as tf.Tensor4D, 1, 'same').square().sum() as tf.Scalar, [w]);
    expect(grads[w.name].shape).toEqual([3, 3, 1, 2]);
    tf.dispose([x, w, grads[w.name]]);
    await prepareBackend('wasm', { kernels: 'ours' });
  });

  it('says why WebGPU cannot start: no navigator.gpu, or what the installer found missing', async () => {
    const before = tf.getBackend();
    await expect(prepareBackend('webgpu', { kernels: 'ours' })).rejects.toThrow('not supported by this browser');
    const installWebGpu = () => Promise.reject(new Error('no Dawn here'));
    await expect(prepareBackend('webgpu', { kernels: 'ours' }, { installWebGpu })).rejects.toThrow('no Dawn here');
    // The running backend stays.
    expect(tf.getBackend()).toBe(before);
  });

  it('says when WebGL cannot start (no browser here)', async () => {
    await expect(prepareBackend('webgl', { kernels: 'ours' })).rejects.toThrow();
  });

  it('carries compiledStep through only for WebGPU with our kernels', async () => {
    expect(compiledStepFor('webgpu', { kernels: 'ours', compiledStep: true })).toBe(true);
    expect(compiledStepFor('webgpu', { kernels: 'ours' })).toBe(false);
    expect(compiledStepFor('webgpu', { kernels: 'as-shipped', compiledStep: true })).toBe(false);
    for (const name of ['wasm', 'cpu', 'webgl'] as const) {
      expect(compiledStepFor(name, { kernels: 'ours', compiledStep: true })).toBe(false);
    }
    await expect(prepareBackend('cpu', { kernels: 'ours', compiledStep: true })).resolves.toMatchObject({ compiledStep: false });
  });
});
