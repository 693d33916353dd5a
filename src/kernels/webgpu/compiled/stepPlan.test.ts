import { describe, expect, it } from 'vitest';
import { decode } from '../../../core/config/codec';
import { networkLayers } from '../../../core/model/architecture';
import { buildModel } from '../../../core/model/build';
import { groupsFor, PACKED_SPLIT_WIDTH, planStep, stepParams } from './stepPlan';

function planFor(query: string) {
  const { config, problems } = decode(query);
  expect(problems).toEqual([]);
  return { config, plan: planStep({ layers: networkLayers(config), batch: config.batch, optimizer: config.optimizer, lr: config.lr, splitWidth: PACKED_SPLIT_WIDTH }) };
}

describe('planStep', () => {
  it('runs the book LeNet in 18 dispatches: forward, loss, then each layer backward', () => {
    const { plan } = planFor('preset=d2l');
    expect(plan.kernels.map((k) => k.name)).toEqual([
      'conv1 forward', 'pool1 forward', 'conv2 forward', 'pool2 forward', 'dense1 forward', 'dense2 forward', 'output forward and loss',
      'output input gradient', 'output update', 'dense2 input gradient', 'dense2 update', 'dense1 input gradient', 'dense1 update',
      'pool2 input gradient', 'conv2 input gradient', 'conv2 update', 'pool1 input gradient', 'conv1 update',
    ]);
  });

  it('binds at most 7 storage buffers per kernel, within WebGPU\'s default of 8, for every optimizer', () => {
    for (const optimizer of ['sgd', 'momentum', 'adam']) {
      const { plan } = planFor(`preset=djl&optimizer=${optimizer}&arch=c6k5p2s2-pool3s2p1-c16k3.nobias-d120-d84-d10`);
      for (const kernel of plan.kernels) {
        expect(kernel.bindings.filter((b) => b.access !== 'uniform').length, kernel.name).toBeLessThanOrEqual(7);
      }
    }
  });

  it('binds the model\'s weights in the order of its trainable weights, with their shapes', () => {
    const { config, plan } = planFor('preset=djl');
    const model = buildModel(config);
    expect(plan.weights.map((w) => w.shape)).toEqual(model.trainableWeights.map((w) => w.shape));
    expect(plan.weights.map((w) => `${w.layer}/${w.role}`)).toEqual(model.trainableWeights.map((w) => w.originalName));
    model.dispose();
  });

  it('keeps optimizer state only where the optimizer has some', () => {
    const state = (optimizer: string) => planFor(`preset=d2l&optimizer=${optimizer}`).plan.buffers.filter((b) => b.name.startsWith('state:'));
    expect(state('sgd')).toEqual([]);
    // 61,706 parameters: one word each for momentum, two for Adam.
    expect(state('momentum').reduce((sum, b) => sum + (b.floats ?? 0), 0)).toBe(61_706);
    expect(state('adam').reduce((sum, b) => sum + (b.floats ?? 0), 0)).toBe(2 * 61_706);
  });

  it('sizes activations by the batch', () => {
    const { plan } = planFor('preset=d2l&batch=32');
    expect(plan.buffers.find((b) => b.name === 'act:conv1')?.floats).toBe(32 * 28 * 28 * 6);
    expect(plan.buffers.find((b) => b.name === 'grad:output')?.floats).toBe(32 * 10);
  });

  it('refuses a network whose last layer does not emit the 10 logits', () => {
    const { config } = decode('preset=d2l');
    const layers = networkLayers(config).slice(0, -1);
    expect(() => planStep({ layers, batch: 8, optimizer: 'sgd', lr: 0.1, splitWidth: PACKED_SPLIT_WIDTH })).toThrow(/logits/);
  });
});

describe('groupsFor', () => {
  it('folds past 65,535 workgroups into a second dimension that covers them all', () => {
    expect(groupsFor(0)).toEqual([1, 1]);
    expect(groupsFor(65_535)).toEqual([65_535, 1]);
    const [x, y] = groupsFor(409_600);
    expect(x).toBeLessThanOrEqual(65_535);
    expect(x * y).toBeGreaterThanOrEqual(409_600);
  });
});

describe('stepParams', () => {
  it('writes the batch offset and size, and Adam\'s bias corrections for the step', () => {
    const bytes = stepParams(512, 200, 3, 'adam');
    expect(Array.from(new Uint32Array(bytes, 0, 2))).toEqual([512, 200]);
    const [c1, c2] = new Float32Array(bytes, 8, 2);
    expect(c1).toBeCloseTo(1 / (1 - 0.9 ** 3), 5);
    expect(c2).toBeCloseTo(1 / (1 - 0.999 ** 3), 2);
    expect(Array.from(new Float32Array(stepParams(0, 1, 1, 'sgd'), 8, 2))).toEqual([1, 1]);
  });
});
