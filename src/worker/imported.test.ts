/// <reference types="vite/client" />
// The worker modules import the wasm binaries as Vite `?url` assets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, presetConfig, type Config } from '../core/config/params';
import { encodeIdxImages, encodeIdxLabels } from '../core/data/idx';
import { buildModel } from '../core/model/build';
import { exportModel } from '../core/model/export';
import type { ModelFiles } from '../core/model/modelFiles';
import { BackendKeeper } from './backendKeeper';
import { DatasetStore } from './dataset';
import { buildImportedModel, evaluateImported } from './imported';
import type { ImportedModelReply, UnavailableReply } from './protocol';
import { QueryAnswerer } from './queries';
import { RunSession } from './session';

/** Noise images with labels 0…9 in turn, so every confusion row has images. */
function idxFiles(trainCount: number, testCount: number) {
  const split = (count: number, seed: number) => {
    const pixels = new Uint8Array(count * 784);
    let state = seed;
    for (let i = 0; i < pixels.length; i++) {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      pixels[i] = state % 256;
    }
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    return [encodeIdxImages(pixels, count, 28, 28), encodeIdxLabels(labels)];
  };
  const [trainImages, trainLabels] = split(trainCount, 1);
  const [testImages, testLabels] = split(testCount, 2);
  return [
    { name: 'train-images', bytes: trainImages }, { name: 'train-labels', bytes: trainLabels },
    { name: 't10k-images', bytes: testImages }, { name: 't10k-labels', bytes: testLabels },
  ].map(({ name, bytes }) => ({ name, bytes: bytes.slice().buffer }));
}

async function exported(config: Config): Promise<ModelFiles> {
  const model = buildModel(config);
  try {
    return await exportModel(model);
  } finally {
    model.dispose();
  }
}

/** The probabilities `model` gives a fixed image, to compare an import with its original. */
async function probabilitiesOf(model: tf.LayersModel, pixels: Float32Array): Promise<number[]> {
  const output = tf.tidy(() => tf.softmax(model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor));
  const values = Array.from(await output.data());
  output.dispose();
  return values;
}

const DRAWING = Float32Array.from({ length: 784 }, (_, i) => ((i * 37) % 101) / 100);

function imported(reply: ImportedModelReply | UnavailableReply): ImportedModelReply {
  if (reply.type !== 'imported') throw new Error(`expected an import, got: ${reply.message}`);
  return reply;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildImportedModel and evaluateImported', () => {
  it('gives the model the file\'s weights, and frees every tensor it made', async () => {
    const original = buildModel({ ...presetConfig('djl'), seed: 9 });
    const files = await exportModel(original);
    const before = tf.memory().numTensors;
    const model = buildImportedModel({ arch: presetConfig('djl').arch, activation: 'sigmoid', pool: 'avg' }, files.weights);
    expect(tf.memory().numTensors - before).toBe(model.weights.length);
    expect(await probabilitiesOf(model, DRAWING)).toEqual(await probabilitiesOf(original, DRAWING));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    original.dispose();
  });

  it('refuses bytes that do not fit, and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const config = { arch: DEFAULT_CONFIG.arch, activation: DEFAULT_CONFIG.activation, pool: DEFAULT_CONFIG.pool };
    expect(() => buildImportedModel(config, new ArrayBuffer(608))).toThrow('the weights file ends inside conv1/bias');
    expect(() => buildImportedModel(config, new ArrayBuffer(246_828))).toThrow('the weights file has 4 bytes more than the model');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('measures a test pass as an epoch does, and frees the device split', async () => {
    const store = new DatasetStore();
    await store.openOwn(idxFiles(40, 30));
    const test = store.current('own')!.test;
    const model = buildModel(DEFAULT_CONFIG);
    const before = tf.memory().numTensors;
    const { evaluation, confusion, testAccuracy } = await evaluateImported(model, test, 20);
    expect(tf.memory().numTensors).toBe(before);
    expect(evaluation.images.length).toBe(20);
    expect(confusion.reduce((sum, n) => sum + n, 0)).toBe(20);
    const right = Array.from(evaluation.predicted).filter((p, i) => p === evaluation.labels[i]).length;
    expect(testAccuracy).toBe(right / 20);
    model.dispose();
  });
});

describe('RunSession.importModel', () => {
  const store = new DatasetStore();
  const session = new RunSession(store, new BackendKeeper());
  const answerer = new QueryAnswerer(store, session);
  let baseline = 0;
  let files: ModelFiles;
  let original: tf.LayersModel;

  beforeAll(async () => {
    await store.openOwn(idxFiles(40, 30));
    original = buildModel({ ...presetConfig('modern'), seed: 3 });
    files = await exportModel(original);
    baseline = tf.memory().numTensors;
  });

  afterAll(() => {
    original.dispose();
  });

  /** Tensors besides the kept models' weights: nothing else stays. */
  const loose = () => tf.memory().numTensors - session.keptMemory().tensors - baseline;

  it('checks, builds, evaluates and keeps an imported model that every view can ask about', async () => {
    const reply = imported(await session.importModel(101, { ...files, weights: files.weights.slice(0) }, 'own', 25, 'cpu'));
    expect(reply).toMatchObject({
      type: 'imported', arch: { dense: [120, 84] }, activation: 'relu', pool: 'max', testImages: 25, backend: 'cpu',
    });
    expect(reply.confusion).toHaveLength(100);
    expect(reply.confusion.reduce((sum, n) => sum + n, 0)).toBe(25);
    expect(reply.testAccuracy).toBe(reply.confusion.filter((_, i) => i % 11 === 0).reduce((sum, n) => sum + n, 0) / 25);
    expect(session.keptMemory().models).toBe(1);
    expect(loose()).toBe(0);

    const predict = await answerer.answer({ type: 'predict', runId: 101, image: { kind: 'drawing', pixels: DRAWING } });
    expect(predict.type).toBe('probabilities');
    if (predict.type !== 'probabilities') return;
    const want = await probabilitiesOf(original, DRAWING);
    Array.from(predict.probabilities).forEach((p, i) => expect(p).toBeCloseTo(want[i], 6));

    const mistakes = await answerer.answer({ type: 'mistakes', runId: 101, trueClass: null, predictedClass: null, limit: 200 });
    expect(mistakes).toMatchObject({ type: 'images', split: 'test' });
    const wrong = reply.confusion.reduce((sum, n, i) => sum + (i % 11 === 0 ? 0 : n), 0);
    if (mistakes.type === 'images') expect(mistakes.total).toBe(wrong);
    const cell = await answerer.answer({ type: 'cell', runId: 101, trueClass: 3, predictedClass: 0, limit: 10 });
    if (cell.type === 'images') expect(cell.total).toBe(reply.confusion[30]);
    else throw new Error(cell.type);
    expect((await answerer.answer({ type: 'activations', runId: 101, image: { kind: 'test', index: 0 } })).type).toBe('activations');
    // Images to ask it about come from the data it was evaluated on, whatever is loaded now.
    const samples = await answerer.answer({ type: 'run-samples', runId: 101, split: 'test', perClass: 1 });
    expect(samples).toMatchObject({ type: 'images', split: 'test' });
    const again = await answerer.answer({ type: 'export', runId: 101 });
    expect(again.type).toBe('model-files');
    if (again.type === 'model-files') expect(new Uint8Array(again.weights)).toEqual(new Uint8Array(files.weights));
    expect(loose()).toBe(0);
  });

  it('keeps only the newest model: a second import frees the first, and memory stays flat', async () => {
    const kept = session.keptMemory();
    const second = await exported({ ...DEFAULT_CONFIG, seed: 4 });
    imported(await session.importModel(102, second, 'own', 1000, 'cpu'));
    expect(session.find(101)).toBe('The model of that run is gone: a model imported later replaced it. Train again to see it.');
    expect(session.keptMemory().models).toBe(1);
    expect(session.keptMemory().tensors).toBe(10);
    expect(kept.tensors).toBe(10);
    expect(loose()).toBe(0);
    const reply = imported(await session.importModel(103, await exported(DEFAULT_CONFIG), 'own', Number.NaN, 'cpu'));
    expect(reply.testImages).toBe(30);
  });

  it('says what is wrong with a file, keeping the model it had', async () => {
    const broken = await session.importModel(104, { modelJson: '<html>', weights: new ArrayBuffer(0) }, 'own', 10, 'cpu');
    expect(broken).toEqual({ type: 'unavailable', message: 'model.json is not JSON: was another file chosen?' });
    const short = await session.importModel(105, { ...files, weights: files.weights.slice(0, 8) }, 'own', 10, 'cpu');
    expect(short).toEqual({ type: 'unavailable', message: 'model.weights.bin: 8 bytes where the model needs 246,824' });
    const nothing = await session.importModel(106, undefined as never, 'own', 10, 'cpu');
    expect(nothing.type).toBe('unavailable');
    expect(typeof session.find(103)).toBe('object');
    expect(loose()).toBe(0);
  });

  it('says when the dataset is missing, and frees what it built', async () => {
    const reply = await session.importModel(107, files, 'fashion', 10, 'cpu');
    expect(reply).toEqual({ type: 'unavailable', message: 'The model could not be imported: prepare() must be called before train()' });
    expect(session.find(107)).toBe('The model of that run is gone: its import failed. Train again to see it.');
    expect(typeof session.find(103)).toBe('object');
    expect(loose()).toBe(0);
  });

  it('waits for no run: while one trains it asks to stop it first; a run after an import replaces it when it ends', async () => {
    const config: Config = { ...DEFAULT_CONFIG, dataset: 'own', train: 40, test: 10, epochs: 50, batch: 10, backend: 'cpu' };
    let stepped: () => void = () => undefined;
    const step = new Promise<void>((resolve) => {
      stepped = resolve;
    });
    const training = session.train(201, config, (event) => {
      if (event.type === 'progress') stepped();
    });
    await step;
    const refused = await session.importModel(108, files, 'own', 10, 'cpu');
    expect(refused).toEqual({ type: 'unavailable', message: 'Stop the run first: a model is imported while no run is training.' });
    session.stop();
    expect((await training).type).toBe('stopped');
    expect(session.find(103)).toBe('The model of that run is gone: a newer run replaced its model. Train again to see it.');
    expect(session.keptMemory().models).toBe(1);
    imported(await session.importModel(109, files, 'own', 10, 'cpu'));
    expect(typeof session.find(201)).toBe('string');
    expect(session.keptMemory().models).toBe(1);
    expect(loose()).toBe(0);
  });

  it('makes a run that starts during an import wait for it', async () => {
    const importing = session.importModel(110, files, 'own', 30, 'cpu');
    const config: Config = { ...DEFAULT_CONFIG, dataset: 'own', train: 40, test: 10, epochs: 1, batch: 10, backend: 'cpu' };
    const training = session.train(202, config, () => undefined);
    expect((await importing).type).toBe('imported');
    expect((await training).type).toBe('done');
    expect(session.keptMemory().models).toBe(1);
    expect(typeof session.find(202)).toBe('object');
    expect(loose()).toBe(0);
  });
});
