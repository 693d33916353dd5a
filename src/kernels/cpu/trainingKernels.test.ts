import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avgPoolGrads, CASES, conv2dGrads, GRAD_NAMES, maxAbs, POOLS, relError, TOL } from '../shared/testValues';
import { DEFAULT_CONFIG } from '../../core/config/params';
import { buildModel } from '../../core/model/build';
import {
  cpuTrainingKernelsRegistered,
  registerCpuTrainingKernels,
  unregisterCpuTrainingKernels,
} from './trainingKernels';

/** `f` with the cpu backend's own kernels, then with ours: [reference, ours]. */
function ownThenOurs<T>(f: () => T): [T, T] {
  unregisterCpuTrainingKernels();
  const reference = f();
  registerCpuTrainingKernels();
  return [reference, f()];
}

describe('cpu training kernels', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    registerCpuTrainingKernels();
    registerCpuTrainingKernels(); // idempotent
  });

  afterAll(() => {
    unregisterCpuTrainingKernels();
  });

  it('register, and unregister puts the backend’s own back', () => {
    expect(cpuTrainingKernelsRegistered()).toBe(true);
    unregisterCpuTrainingKernels();
    expect(cpuTrainingKernelsRegistered()).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined();
    registerCpuTrainingKernels();
    expect(cpuTrainingKernelsRegistered()).toBe(true);
  });

  it.each(CASES)('conv2d filter (and input) gradients match the backend’s: $name', (c) => {
    const [reference, ours] = ownThenOurs(() => conv2dGrads(c, 7));
    expect(ours.dyShape).toEqual(reference.dyShape);
    expect(maxAbs(reference.dw)).toBeGreaterThan(0);
    for (const name of GRAD_NAMES) {
      expect(relError(ours[name], reference[name]), name).toBeLessThan(TOL);
    }
  });

  it.each(POOLS)('avgPool gradient x$x size $size strides $strides pad $pad matches the backend’s', (p) => {
    const [reference, ours] = ownThenOurs(() => avgPoolGrads(p));
    expect(maxAbs(reference)).toBeGreaterThan(0);
    expect(relError(ours, reference)).toBeLessThan(TOL);
  });

  it('a LeNet training step gives the same weights, and leaks nothing', () => {
    const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 9], 'int32'), 10).toFloat();
    const step = () => {
      const model = buildModel(DEFAULT_CONFIG);
      const optimizer = tf.train.sgd(0.9);
      const before = tf.memory().numTensors;
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
      expect(tf.memory().numTensors).toBe(before);
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      optimizer.dispose();
      model.dispose();
      return weights;
    };
    const [reference, ours] = ownThenOurs(step);
    expect(ours).toHaveLength(reference.length);
    ours.forEach((w, i) => expect(relError(w, reference[i])).toBeLessThan(TOL));
    tf.dispose([x, y]);
  });

  it('refuses what it does not compute, with a clear message', () => {
    const x = tf.zeros([1, 6, 6, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    const filterGrad = (filterShape: number[], dataFormat: string) => () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat, filterShape });
    expect(filterGrad([3, 3, 2, 3], 'NCHW')).toThrow(/Conv2DBackpropFilter \(cpu\): only dataFormat 'NHWC'/);
    expect(filterGrad([2, 2, 2, 3], 'NHWC'))
      .toThrow(/Conv2DBackpropFilter \(cpu\): dy has shape \[1, 4, 4, 3\], expected \[1, 5, 5, 3\]/);
    tf.dispose([x, dy]);
  });
});
