import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readDataset, startWasmBackend } from '../../../scripts/lib/node';
import type { Splits } from '../data/datasetFolder';
import { DEFAULT_CONFIG, presetConfig, type Config } from '../config/params';
import { buildModel } from '../model/build';
import type { EndEvent, EpochEvent, ProgressEvent, TrainEvent } from './events';
import { disposeSplit, sliceImages, toDevice } from './deviceSplit';
import { trainModel } from './train';

let data: Splits;

beforeAll(async () => {
  await startWasmBackend();
  data = await readDataset('fashion');
});

async function run(config: Config, extra: { signal?: AbortSignal; onEvent?: (e: TrainEvent) => void } = {}) {
  const events: TrainEvent[] = [];
  const model = buildModel(config);
  const end = await trainModel({
    model, config, train: data.train, test: data.test,
    onEvent: (event) => {
      events.push(event);
      extra.onEvent?.(event);
    },
    signal: extra.signal,
  });
  return { model, end, events };
}

const small: Config = { ...DEFAULT_CONFIG, train: 512, test: 256, epochs: 2, batch: 64 };
const odd: Config = { ...DEFAULT_CONFIG, train: 300, test: 100, epochs: 1, batch: 128 };

/** Mean probability the model gives the true class, over the first test images. */
function trueClassProbability(model: tf.LayersModel, count: number): number {
  return tf.tidy(() => {
    const split = toDevice(data.test, count);
    const probabilities = (model.predict(sliceImages(split, 0, split.count)) as tf.Tensor2D).softmax();
    const mean = probabilities.mul(tf.oneHot(split.labels, 10)).sum(1).mean().dataSync()[0];
    disposeSplit(split);
    return mean;
  });
}

describe('trainModel', () => {
  it('reports each epoch\'s test pass as a confusion matrix whose diagonal over its total is the test accuracy', async () => {
    const evaluations: number[] = [];
    const config: Config = { ...small, epochs: 1 };
    const model = buildModel(config);
    const events: TrainEvent[] = [];
    await trainModel({
      model, config, train: data.train, test: data.test, onEvent: (e) => events.push(e),
      onEvaluation: (evaluation) => evaluations.push(evaluation.predicted.length),
    });
    model.dispose();
    const [epoch] = events.filter((e): e is EpochEvent => e.type === 'epoch');
    expect(epoch.confusion).toHaveLength(100);
    expect(epoch.confusion.reduce((a, b) => a + b, 0)).toBe(config.test);
    const diagonal = epoch.confusion.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    expect(diagonal / config.test).toBe(epoch.testAccuracy);
    expect(evaluations).toEqual([config.test]);
  });

  it('lowers the loss and raises the probability of the true class', async () => {
    const config: Config = { ...presetConfig('modern'), train: 600, test: 300, epochs: 3, batch: 32 };
    const model = buildModel(config);
    const before = trueClassProbability(model, 300);
    const events: TrainEvent[] = [];
    const end = await trainModel({ model, config, train: data.train, test: data.test, onEvent: (e) => events.push(e) });
    expect(end.type).toBe('done');
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    expect(epochs).toHaveLength(3);
    expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(epochs[2].trainLoss).toBeLessThan(1.5);
    expect(epochs[2].testAccuracy).toBeGreaterThan(0.5);
    const after = trueClassProbability(model, 300);
    expect(before).toBeLessThan(0.15);
    expect(after).toBeGreaterThan(before + 0.3);
    model.dispose();
  });

  it('emits a few progress points per epoch with running means, then an epoch row', async () => {
    const { model, end, events } = await run(small);
    model.dispose();
    expect(end.type).toBe('done');
    const progress = events.filter((e): e is ProgressEvent => e.type === 'progress');
    // 8 steps per epoch, read every 2 steps, and after the run's first step.
    expect(progress.map((p) => p.epochFraction)).toEqual([0.125, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
    for (const p of progress) {
      expect(p.trainLoss).toBeGreaterThan(0);
      expect(p.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(p.trainAccuracy).toBeLessThanOrEqual(1);
    }
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    // The epoch's train numbers are the running means at its last step.
    expect(epochs[0].trainLoss).toBeCloseTo(progress[4].trainLoss, 6);
    for (const e of epochs) {
      expect(e.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.testAccuracy).toBeLessThanOrEqual(1);
      expect(e.imagesPerSecond).toBeGreaterThan(0);
      expect(e.seconds).toBeGreaterThan(0);
    }
    expect(events.at(-1)).toEqual(end);
    expect(end).toMatchObject({ type: 'done', epochs: 2, trainLoss: epochs[1].trainLoss, testAccuracy: epochs[1].testAccuracy });
  });

  it('gives the same numbers for the same seed and different ones for another', async () => {
    const numbers = async (seed: number) => {
      const { model, events } = await run({ ...small, epochs: 1, seed });
      model.dispose();
      return events.filter((e) => e.type === 'progress').map((e) => (e as ProgressEvent).trainLoss);
    };
    const first = await numbers(5);
    expect(await numbers(5)).toEqual(first);
    expect(await numbers(6)).not.toEqual(first);
  });

  it('does not leak tensors: the count after several epochs equals the count after the first', async () => {
    const counts: number[] = [];
    const baseline = tf.memory().numTensors;
    const { model, end } = await run({ ...small, epochs: 4 }, {
      onEvent: (e) => {
        if (e.type === 'epoch') counts.push(tf.memory().numTensors);
      },
    });
    expect(end.type).toBe('done');
    expect(new Set(counts).size).toBe(1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('frees every tensor it made, whatever the optimizer and however the run ends', async () => {
    const tiny: Config = { ...small, train: 128, test: 64, epochs: 1 };
    const baseline = tf.memory().numTensors;
    const ends: string[] = [];
    for (const optimizer of ['sgd', 'momentum', 'adam'] as const) {
      // Finished, stopped after the first read-back, and diverged (momentum at lr 10 blows up).
      const controller = new AbortController();
      const runs: [Config, AbortController | undefined][] = [
        [{ ...tiny, optimizer }, undefined],
        [{ ...tiny, optimizer, epochs: 3 }, controller],
        [{ ...tiny, optimizer, lr: 10, activation: 'relu', train: 512, epochs: 3 }, undefined],
      ];
      for (const [config, abort] of runs) {
        const { model, end } = await run(config, {
          signal: abort?.signal,
          onEvent: (e) => {
            if (e.type === 'progress') abort?.abort();
          },
        });
        model.dispose();
        ends.push(`${optimizer} ${end.type}`);
        expect(tf.memory().numTensors, `${optimizer} ${end.type}`).toBe(baseline);
      }
    }
    expect(ends).toContain('momentum diverged');
    expect(ends.filter((e) => e.endsWith('stopped'))).toHaveLength(3);
  });

  it('stops with "diverged", naming epoch and step, when the loss is not finite', async () => {
    const { model, end, events } = await run({ ...small, lr: 10, optimizer: 'momentum', activation: 'relu', epochs: 3 });
    model.dispose();
    // Momentum SGD at 10 with ReLU blows up in the first epoch on this data.
    expect(end.type).toBe('diverged');
    const diverged = end as Extract<EndEvent, { type: 'diverged' }>;
    expect(diverged.epoch).toBe(1);
    expect(diverged.step).toBeGreaterThanOrEqual(1);
    expect(diverged.message).toMatch(/epoch 1, step \d+.*smaller learning rate/);
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(0);
  });

  it('stops within one step when the signal aborts', async () => {
    const controller = new AbortController();
    const { model, end, events } = await run({ ...small, epochs: 5 }, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.step === 4) controller.abort();
      },
    });
    model.dispose();
    expect(end).toMatchObject({ type: 'stopped', epoch: 1, step: 4 });
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(0);
  });
});

describe('batches', () => {
  it('trains with a last batch smaller than the others', async () => {
    const { model, end, events } = await run(odd);
    model.dispose();
    expect(end.type).toBe('done');
    expect(events.filter((e) => e.type === 'progress').map((e) => (e as ProgressEvent).step)).toEqual([1, 2, 3]);
  });
});
