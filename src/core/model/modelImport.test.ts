import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { formatArch, type Architecture } from '../config/arch';
import { validArch } from '../config/arch.testing';
import { ACTIVATIONS, DEFAULT_CONFIG, POOLINGS, presetConfig, type Config } from '../config/params';
import { buildModel } from './build';
import { exportModel } from './export';
import { MAX_MODEL_JSON_CHARS, neededWeights, readLenetModel, type ModelRead } from './modelImport';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The layers as the file can tell them: per-layer initializers are not part of a network's shape. */
function withoutInits(arch: Architecture): Architecture {
  return { ...arch, convs: arch.convs.map((conv) => ({ ...conv, init: null })) };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Files {
  json: Json;
  weights: ArrayBuffer;
}

async function exported(config: Config, tfjsLayersOnly = false): Promise<Files> {
  const model = buildModel(config, undefined, { tfjsLayersOnly });
  try {
    const { modelJson, weights } = await exportModel(model);
    return { json: JSON.parse(modelJson) as Json, weights };
  } finally {
    model.dispose();
  }
}

function read(files: Files): ModelRead {
  return readLenetModel(JSON.stringify(files.json), files.weights);
}

function problemOf(files: Files): string {
  const result = read(files);
  if (result.problem === undefined) throw new Error(`expected a problem, read ${formatArch(result.config.arch)}`);
  return result.problem;
}

function layersOf(files: Files): Json[] {
  return files.json.modelTopology.config.layers as Json[];
}

function layerNamed(files: Files, name: string): Json {
  const layer = layersOf(files).find((candidate) => candidate.config.name === name);
  if (!layer) throw new Error(`no layer ${name}`);
  return layer;
}

function manifest(files: Files): Json[] {
  return files.json.weightsManifest[0].weights as Json[];
}

const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** A problem is one short plain-text sentence, whatever the file held. */
function expectPlain(problem: string): void {
  expect(problem.length).toBeLessThan(400);
  expect(problem).not.toMatch(UNSHOWABLE);
  expect(problem).toMatch(/^model(\.json|\.weights\.bin)/);
}

describe('readLenetModel on models this app exported', () => {
  for (const preset of ['d2l', 'djl', 'modern'] as const) {
    it(`reads back the ${preset} preset's network, activation and pooling`, async () => {
      const config = presetConfig(preset);
      const result = read(await exported(config));
      expect(result.problem).toBeUndefined();
      expect(result.config).toEqual({ arch: withoutInits(config.arch), activation: config.activation, pool: config.pool });
    });
  }

  it('reads back random valid architectures, and names their weights as buildModel does', async () => {
    await fc.assert(fc.asyncProperty(
      validArch, fc.constantFrom(...ACTIVATIONS), fc.constantFrom(...POOLINGS), fc.boolean(),
      async (arch, activation, pool, tfjsLayersOnly) => {
        const config: Config = { ...DEFAULT_CONFIG, arch, activation, pool };
        const model = buildModel(config, undefined, { tfjsLayersOnly });
        try {
          expect(neededWeights(config)).toEqual(model.weights.map((w) => ({ name: w.originalName, shape: w.shape })));
          const { modelJson, weights } = await exportModel(model);
          const result = readLenetModel(modelJson, weights);
          expect(result.problem).toBeUndefined();
          const pooled = arch.convs.some((conv) => conv.pool);
          expect(result.config).toEqual({ arch: withoutInits(arch), activation, pool: pooled ? pool : DEFAULT_CONFIG.pool });
        } finally {
          model.dispose();
        }
      },
    ), { numRuns: 40, seed: 20_260_301 });
  });

  it('reads a tfjs tutorial\'s own LeNet: tfjs layer names, "same" padding, max pooling', async () => {
    const model = tf.sequential();
    model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    model.add(tf.layers.flatten());
    model.add(tf.layers.dense({ units: 120, activation: 'relu' }));
    model.add(tf.layers.dense({ units: 10 }));
    const { modelJson, weights } = await exportModel(model);
    model.dispose();
    const { convs } = withoutInits(presetConfig('modern').arch);
    expect(readLenetModel(modelJson, weights)).toEqual({ config: { arch: { convs, dense: [120] }, activation: 'relu', pool: 'max' } });
  });

  it('reads a Keras-style file: an InputLayer first, weights named under the model\'s scope, topology under model_config', async () => {
    const files = await exported(DEFAULT_CONFIG);
    const layers = layersOf(files);
    const shape = layers[0].config.batch_input_shape;
    delete layers[0].config.batch_input_shape;
    layers.unshift({ class_name: 'InputLayer', config: { batch_shape: shape, dtype: 'float32', name: 'input' } });
    for (const weight of manifest(files)) weight.name = `sequential/${weight.name}`;
    files.json.modelTopology = { model_config: files.json.modelTopology, training_config: {} };
    delete files.json.format;
    expect(read(files)).toEqual({ config: { arch: withoutInits(DEFAULT_CONFIG.arch), activation: 'sigmoid', pool: 'avg' } });
  });

  it('ignores what names say: HTML in every name still reads as numbers only', async () => {
    const files = await exported(DEFAULT_CONFIG);
    const html = '<img src=x onerror=alert(1)>';
    files.json.modelTopology.config.name = html;
    for (const layer of layersOf(files)) layer.config.name = `${html}${layer.config.name}`;
    for (const weight of manifest(files)) weight.name = `${html}${weight.name}`;
    const result = read(files);
    expect(result.problem).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain('<');
  });

  it('uses no tensors', async () => {
    const files = await exported(DEFAULT_CONFIG);
    const before = tf.memory().numTensors;
    read(files);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('readLenetModel on files that are not of LeNet\'s family', () => {
  it('refuses text that is not JSON, or JSON of another shape', () => {
    const weights = new ArrayBuffer(8);
    expect(readLenetModel('<!doctype html><title>404</title>', weights)).toEqual({ problem: 'model.json is not JSON: was another file chosen?' });
    for (const text of ['[]', '42', 'null', '"model"', '{}', '{"modelTopology": 5}', '{"modelTopology": {"class_name": "Sequential"}}',
      '{"format": "graph-model", "modelTopology": {}}', '{"modelTopology": {"class_name": "Model", "config": {"layers": []}}}',
      '{"modelTopology": {"class_name": "Sequential", "config": {"layers": [1, 2]}}}',
      '{"modelTopology": {"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": []}]}}}',
      '{"__proto__": {"modelTopology": 1}, "constructor": {"prototype": {}}}']) {
      const result = readLenetModel(text, weights);
      expect(result.problem, text).toBeTypeOf('string');
      expectPlain(result.problem!);
    }
    expect(readLenetModel('{"format": "graph-model", "modelTopology": {}}', weights).problem)
      .toBe('model.json: its format is "graph-model", not a tfjs "layers-model"');
  });

  it('refuses what is not text or bytes without throwing', async () => {
    const files = await exported(DEFAULT_CONFIG);
    const modelJson = JSON.stringify(files.json);
    expect(readLenetModel(modelJson, null as unknown as ArrayBuffer).problem).toBe('model.weights.bin could not be read');
    expect(readLenetModel(new Uint8Array(3) as unknown as string, files.weights).problem).toBe('model.json could not be read as text');
    expect(readLenetModel(modelJson, new Uint8Array(files.weights) as unknown as ArrayBuffer).problem).toBe('model.weights.bin could not be read');
  });

  it('refuses a 3 MB model.json before parsing it', () => {
    const huge = `{"pad": "${'x'.repeat(3_000_000)}"}`;
    expect(huge.length).toBeGreaterThan(MAX_MODEL_JSON_CHARS);
    expect(readLenetModel(huge, new ArrayBuffer(0)).problem).toBe(
      'model.json has 3,000,011 characters; a model of LeNet\'s family needs far fewer (at most 2,000,000 are read)');
  });

  it('shortens and cleans what it quotes: HTML, control and bidi characters in every string field', async () => {
    const files = await exported(presetConfig('djl'));
    const payload = '<script>alert("pwned")</script>\u202e\u0000\n<b>bold</b>'.repeat(3);
    const paths: (string | number)[][] = [];
    const walk = (value: unknown, path: (string | number)[]) => {
      if (typeof value === 'string') paths.push(path);
      else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
      else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    };
    walk(files.json, []);
    expect(paths.length).toBeGreaterThan(50);
    let refused = 0;
    for (const path of [...paths, 'all']) {
      const json = structuredClone(files.json);
      if (path === 'all') {
        for (const every of paths) set(json, every, payload);
      } else {
        set(json, path as (string | number)[], payload);
      }
      const result = readLenetModel(JSON.stringify(json), files.weights);
      if (result.problem === undefined) continue;
      refused++;
      expectPlain(result.problem);
      expect(result.problem).not.toContain('</script>');
    }
    // class names, activations, formats, paddings, weight names and dtypes all matter.
    expect(refused).toBeGreaterThan(20);

    function set(target: Json, path: (string | number)[], value: string) {
      let at = target;
      for (const key of path.slice(0, -1)) at = at[key];
      at[path.at(-1)!] = value;
    }
  });

  it('survives random damage to a valid file', async () => {
    const files = await exported(DEFAULT_CONFIG);
    const text = JSON.stringify(files.json);
    fc.assert(fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.string({ maxLength: 8 }), fc.nat(8), (at, insert, cut) => {
      const result = readLenetModel(text.slice(0, at) + insert + text.slice(at + cut), files.weights);
      if (result.problem !== undefined) expectPlain(result.problem);
    }), { numRuns: 300, seed: 7 });
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const result = readLenetModel(JSON.stringify(value) ?? '', files.weights);
      expect(result.problem).toBeTypeOf('string');
    }), { numRuns: 200, seed: 8 });
  });

  it('names a layer outside the family, such as an LSTM', async () => {
    const files = await exported(DEFAULT_CONFIG);
    layersOf(files).splice(2, 0, { class_name: 'LSTM', config: { name: 'lstm_1', units: 8 } });
    expect(problemOf(files)).toBe(
      'model.json: layer 3 (lstm_1) is a LSTM, not a layer of LeNet\'s family (Conv2D, AveragePooling2D, MaxPooling2D, ZeroPadding2D, Flatten, Dense)');
  });

  it('knows no layer by the names of Object.prototype', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const files = await exported(DEFAULT_CONFIG);
      layerNamed(files, 'pool1').class_name = name;
      expect(problemOf(files)).toMatch(new RegExp(`^model\\.json: layer 2 \\(pool1\\) is a ${name}, not a layer of LeNet's family`));
    }
  });

  it('refuses networks outside the limits: 7 convolutions, a 3,000-unit dense layer, too many parameters', async () => {
    const conv = { filters: 4, kernel: 3, padding: 1, stride: 1, bias: true, init: null, pool: null };
    const seven = await exported({ ...DEFAULT_CONFIG, arch: { convs: Array(7).fill(conv), dense: [] } });
    expect(problemOf(seven)).toBe('model.json: layer 7 (conv7) is convolution 7; LeNet\'s family here has at most 6');
    const wide = await exported({ ...DEFAULT_CONFIG, arch: { ...DEFAULT_CONFIG.arch, dense: [3000] } });
    expect(problemOf(wide)).toBe('model.json: layer 6 (dense1) has units 3,000; 1–1,024 are allowed here');
    const filters = await exported({ ...DEFAULT_CONFIG, arch: { convs: [{ ...conv, filters: 129 }], dense: [] } });
    expect(problemOf(filters)).toBe('model.json: layer 1 (conv1) has filters 129; 1–128 are allowed here');
    const big = await exported({ ...DEFAULT_CONFIG, arch: { convs: [{ ...conv, filters: 128 }], dense: [64] } });
    expect(problemOf(big)).toBe('model.json: the network has 6,424,522 parameters; at most 5,000,000 can be trained here');
  });

  it('refuses a network whose shapes do not work', async () => {
    const files = await exported(DEFAULT_CONFIG);
    layerNamed(files, 'conv2').config.kernel_size = [9, 9];
    layerNamed(files, 'conv2').config.strides = [3, 3];
    layerNamed(files, 'pool2').config.pool_size = [9, 9];
    expect(problemOf(files)).toBe('model.json: pool2: its 9×9 window is larger than its 2×2 input');
  });

  it('refuses an output of other than 10 logits', async () => {
    const seven = await exported(DEFAULT_CONFIG);
    layerNamed(seven, 'output').config.units = 7;
    expect(problemOf(seven)).toBe('model.json: the output layer, layer 8 (output), has 7 units; LeNet\'s has 10, one per class');
    const softmax = await exported(DEFAULT_CONFIG);
    layerNamed(softmax, 'output').config.activation = 'softmax';
    expect(problemOf(softmax)).toBe(
      'model.json: the output layer, layer 8 (output), has activation "softmax"; LeNet\'s output layer gives logits (linear)');
  });

  it('refuses what LeNet never does: mixed activations or pooling, uneven padding, other inputs', async () => {
    const cases: [string, (files: Files) => void, string][] = [
      ['mixed activations', (f) => { layerNamed(f, 'dense1').config.activation = 'relu'; },
        'model.json: layer 6 (dense1) uses relu where layer 1 (conv1) uses sigmoid; LeNet uses one activation for all hidden layers'],
      ['an unknown activation', (f) => { layerNamed(f, 'conv2').config.activation = 'elu'; },
        'model.json: layer 3 (conv2) has activation "elu"; LeNet\'s hidden layers use sigmoid, relu, tanh'],
      ['mixed pooling', (f) => { layerNamed(f, 'pool2').class_name = 'MaxPooling2D'; },
        'model.json: layer 4 (pool2) is a MaxPooling2D where layer 2 (pool1) is a AveragePooling2D; LeNet uses one kind of pooling'],
      ['a non-square kernel', (f) => { layerNamed(f, 'conv2').config.kernel_size = [5, 3]; },
        'model.json: layer 3 (conv2) has a 5×3 kernel; LeNet\'s are square'],
      ['channels first', (f) => { layerNamed(f, 'conv2').config.data_format = 'channels_first'; },
        'model.json: layer 3 (conv2) has data_format "channels_first"; LeNet\'s images are channels_last'],
      ['dilation', (f) => { layerNamed(f, 'conv2').config.dilation_rate = [2, 2]; },
        'model.json: layer 3 (conv2) is dilated; LeNet\'s convolutions are not'],
      ['uneven "same" padding', (f) => { layerNamed(f, 'conv2').config.padding = 'same'; layerNamed(f, 'conv2').config.kernel_size = [4, 4]; },
        'model.json: layer 3 (conv2) has "same" padding with stride 1 and a 4×4 kernel: it pads unevenly, which LeNet never does'],
      ['another input', (f) => { layersOf(f)[0].config.batch_input_shape = [null, 32, 32, 3]; },
        'model.json: the input shape is [null,32,32,3]; LeNet\'s is [null, 28, 28, 1] (28×28 grey images)'],
      ['a dense layer before Flatten', (f) => { layersOf(f).splice(1, 0, { class_name: 'Dense', config: { name: 'early', units: 5 } }); },
        'model.json: layer 2 (early) is a Dense layer before Flatten'],
      ['a dense layer without bias', (f) => { layerNamed(f, 'dense2').config.use_bias = false; },
        'model.json: layer 7 (dense2) has no bias; LeNet\'s dense layers have one'],
    ];
    for (const [what, damage, problem] of cases) {
      const files = await exported(DEFAULT_CONFIG);
      damage(files);
      expect(problemOf(files), what).toBe(problem);
    }
    const djl = await exported(presetConfig('djl'));
    layerNamed(djl, 'pool1_pad').config.padding = [[2, 1], [2, 2]];
    expect(problemOf(djl)).toBe('model.json: layer 2 (pool1_pad) pads its sides differently ([[2,1],[2,2]]); LeNet\'s padding is the same on every side');
  });

  it('refuses weights of the wrong length, a manifest that differs from the layers, and weights that are not numbers', async () => {
    const files = await exported(DEFAULT_CONFIG);
    expect(problemOf({ ...files, weights: files.weights.slice(0, 1234) })).toBe('model.weights.bin: 1,234 bytes where the model needs 246,824');
    expect(problemOf({ ...files, weights: new ArrayBuffer(246_828) })).toBe('model.weights.bin: 246,828 bytes where the model needs 246,824');

    const shape = structuredClone(files);
    manifest(shape)[2].shape = [5, 5, 6, 12];
    expect(problemOf(shape)).toBe('model.json: weight 3 ("conv2/kernel") has shape [5,5,6,12] where the model needs [5, 5, 6, 16]');
    const swapped = structuredClone(files);
    [manifest(swapped)[0], manifest(swapped)[1]] = [manifest(swapped)[1], manifest(swapped)[0]];
    expect(problemOf(swapped)).toBe('model.json: weight 1 is "conv1/bias" where the model needs the kernel of layer 1 (conv1)');
    const missing = structuredClone(files);
    manifest(missing).pop();
    expect(problemOf(missing)).toBe('model.json lists 9 weights where the model needs 10');
    const ints = structuredClone(files);
    manifest(ints)[9].dtype = 'int32';
    expect(problemOf(ints)).toBe('model.json: weight 10 ("output/bias") is "int32"; this app reads float32 weights');
    const quantized = structuredClone(files);
    manifest(quantized)[3].quantization = { dtype: 'uint8', scale: 1, min: 0 };
    expect(problemOf(quantized)).toBe('model.json: weight 4 ("conv2/bias") is quantized; this app reads plain float32 weights');
    const sharded = structuredClone(files);
    sharded.json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    expect(problemOf(sharded)).toBe('model.json: its weights are split over 2 files; this app reads them from one model.weights.bin');
    const none = structuredClone(files);
    delete none.json.weightsManifest;
    expect(problemOf(none)).toBe('model.json has no weightsManifest: it does not say what model.weights.bin holds');

    const nan = files.weights.slice(0);
    new Float32Array(nan)[200] = NaN;
    expect(problemOf({ ...files, weights: nan })).toBe(
      'model.weights.bin: the kernel of layer 3 (conv2) holds NaN or infinite values (from a run that diverged?); such a model predicts nothing');
  });
});
