/**
 * Reads a model a learner imports: model.json and its weights file, as
 * export.ts writes them or as any tfjs program saves a Sequential model of
 * LeNet's family. It never builds anything: it maps the layers back onto an
 * Architecture (so the app builds the model its own way, see build.ts) and
 * checks that the weights file holds exactly that model's weights, in its
 * order. Nothing from the file reaches a message unshortened or with
 * control characters (see `shown`), and nothing from it but numbers reaches
 * the config.
 */
import { ARCH_LIMITS, formatArch, parseArch, type Architecture, type ConvBlock, type Range } from '../config/arch';
import { shown } from '../config/codec';
import { ACTIVATIONS, DEFAULT_CONFIG, type ActivationName, type Config, type PoolingName } from '../config/params';
import { IMAGE_SIZE, NUM_CLASSES, networkLayers, networkTable } from './architecture';

/** What an imported model.json tells about the network; the rest of a config is the app's default. */
export type ImportedConfig = Pick<Config, 'arch' | 'activation' | 'pool'>;

export type ModelRead = { config: ImportedConfig; problem?: undefined } | { config?: undefined; problem: string };

/** model.json of LeNet's family is a few kilobytes; anything near this is not one. */
export const MAX_MODEL_JSON_CHARS = 2_000_000;

/** One weight of the model the app builds, as `buildModel(config).weights` lists it. */
export interface NeededWeight {
  /** The app's name, e.g. "conv1/kernel". */
  name: string;
  shape: number[];
}

/** Every layer a Sequential of LeNet's family can hold: an optional input layer, then convolution blocks, Flatten, Dense. */
const MAX_LAYERS = 1 + 4 * ARCH_LIMITS.convBlocks.max + 1 + ARCH_LIMITS.denseLayers.max + 1;
const FAMILY = 'Conv2D, AveragePooling2D, MaxPooling2D, ZeroPadding2D, Flatten, Dense';
const POOL_CLASSES = new Map<string, PoolingName>([['AveragePooling2D', 'avg'], ['MaxPooling2D', 'max']]);

/** A reason to refuse the file; thrown inside this module only, returned as a problem. */
class Refusal extends Error {}

function refuse(message: string): never {
  throw new Refusal(message);
}

const count = (n: number) => n.toLocaleString('en-US');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own field only: a file's object has no say through Object.prototype's names. */
function field(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A value from the file as a message may quote it: short, printable, plain text. */
function quoted(value: unknown): string {
  if (typeof value === 'string') return `"${shown(value)}"`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return shown(text);
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** One layer of the file, and how messages name it: "layer 3 (conv2d_Conv2D2)". */
interface FileLayer {
  index: number;
  className: string;
  config: Record<string, unknown>;
  /** The layer's name in the file, or null when it has none. */
  name: string | null;
  label: string;
}

function fileLayer(raw: unknown, index: number): FileLayer {
  const at = `model.json: layer ${index + 1}`;
  if (!isRecord(raw)) refuse(`${at} is not a layer object`);
  const className = field(raw, 'class_name');
  if (typeof className !== 'string') refuse(`${at} has no class_name`);
  const config = field(raw, 'config') ?? {};
  if (!isRecord(config)) refuse(`${at} (${quoted(className)}) has no config object`);
  const name = field(config, 'name');
  const named = typeof name === 'string' ? name : null;
  return {
    index, className, config, name: named,
    label: named === null ? `layer ${index + 1}` : `layer ${index + 1} (${shown(named)})`,
  };
}

/** A size that tfjs writes as a number or as a pair of equal numbers, e.g. kernel_size [5, 5]. */
function square(layer: FileLayer, key: string, what: string, fallback?: number): number {
  const raw = field(layer.config, key);
  if (raw === undefined || raw === null) {
    if (fallback !== undefined) return fallback;
    refuse(`model.json: ${layer.label} has no ${key}`);
  }
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length < 1 || values.length > 2 || !values.every(isWhole)) {
    refuse(`model.json: ${layer.label} has ${key} ${quoted(raw)}, not a size`);
  }
  const [height, width = height] = values as number[];
  if (height !== width) refuse(`model.json: ${layer.label} has a ${height}×${width} ${what}; LeNet's are square`);
  return height;
}

function within(layer: FileLayer, what: string, value: number, range: Range): number {
  if (value < range.min || value > range.max) {
    refuse(`model.json: ${layer.label} has ${what} ${count(value)}; ${count(range.min)}–${count(range.max)} ${range.max === 1 ? 'is' : 'are'} allowed here`);
  }
  return value;
}

function channelsLast(layer: FileLayer): void {
  const format = field(layer.config, 'data_format');
  if (format !== undefined && format !== null && format !== 'channels_last') {
    refuse(`model.json: ${layer.label} has data_format ${quoted(format)}; LeNet's images are channels_last`);
  }
}

/** ZeroPadding2D's padding: a number, [h, w] or [[top, bottom], [left, right]], all the same. */
function zeroPadding(layer: FileLayer): number {
  channelsLast(layer);
  const raw = field(layer.config, 'padding');
  const flat = (Array.isArray(raw) ? raw.flat() : [raw]) as unknown[];
  if (!flat.length || flat.length > 4 || !flat.every(isWhole) || flat.some((n) => n < 0)) {
    refuse(`model.json: ${layer.label} has padding ${quoted(raw)}, not a size`);
  }
  if (!flat.every((n) => n === flat[0])) {
    refuse(`model.json: ${layer.label} pads its sides differently (${quoted(raw)}); LeNet's padding is the same on every side`);
  }
  return flat[0] as number;
}

function paddingMode(layer: FileLayer): 'valid' | 'same' {
  const raw = field(layer.config, 'padding') ?? 'valid';
  if (raw !== 'valid' && raw !== 'same') refuse(`model.json: ${layer.label} has padding ${quoted(raw)}, neither "valid" nor "same"`);
  return raw;
}

/** The batch shape a layer declares, if any: [null, 28, 28, 1] for LeNet. */
function inputShape(layer: FileLayer): unknown[] | null {
  for (const key of ['batch_input_shape', 'batch_shape']) {
    const shape = field(layer.config, key);
    if (Array.isArray(shape)) return shape;
  }
  const shape = field(layer.config, 'input_shape');
  return Array.isArray(shape) ? [null, ...shape] : null;
}

function checkInput(layer: FileLayer): void {
  const shape = inputShape(layer);
  if (!shape) refuse(`model.json: ${layer.label} declares no input shape; LeNet's input is ${IMAGE_SIZE}×${IMAGE_SIZE}×1`);
  const [, height, width, channels] = shape;
  if (shape.length !== 4 || height !== IMAGE_SIZE || width !== IMAGE_SIZE || channels !== 1) {
    refuse(`model.json: the input shape is ${quoted(shape)}; LeNet's is [null, ${IMAGE_SIZE}, ${IMAGE_SIZE}, 1] (${IMAGE_SIZE}×${IMAGE_SIZE} grey images)`);
  }
  const dtype = field(layer.config, 'dtype');
  if (typeof dtype === 'string' && dtype !== 'float32') refuse(`model.json: the input is ${quoted(dtype)}; LeNet's is float32`);
}

/** A layer's topology, mapped; the weights follow from it. */
interface Mapped {
  arch: Architecture;
  activation: ActivationName;
  pool: PoolingName;
  /** The file's layers that hold weights, by the app's name of each: conv1…, dense1…, output. */
  owners: Map<string, FileLayer>;
}

/** Sequential's layer list: `{ name, layers }` in tfjs, a bare list in old Keras files, nested under model_config when converted from Keras with its training config. */
function sequentialLayers(json: Record<string, unknown>): unknown[] {
  const format = field(json, 'format');
  let topology = field(json, 'modelTopology');
  if (format !== undefined && format !== 'layers-model') {
    refuse(`model.json: its format is ${quoted(format)}, not a tfjs "layers-model"`);
  }
  if (!isRecord(topology)) refuse('model.json has no modelTopology: it is not a tfjs layers model');
  const nested = field(topology, 'model_config');
  if (isRecord(nested)) topology = nested;
  const topologyRecord = topology as Record<string, unknown>;
  const className = field(topologyRecord, 'class_name');
  if (className !== 'Sequential') {
    refuse(`model.json: the model is a ${className === undefined ? 'model without class_name' : quoted(className)}, not a Sequential model of LeNet's family`);
  }
  const config = field(topologyRecord, 'config');
  const layers = Array.isArray(config) ? config : isRecord(config) ? field(config, 'layers') : undefined;
  if (!Array.isArray(layers)) refuse('model.json: the Sequential model lists no layers');
  if (layers.length > MAX_LAYERS) {
    refuse(`model.json: the model has ${count(layers.length)} layers; a network of LeNet's family here has at most ${MAX_LAYERS}`);
  }
  return layers;
}

/** Maps the file's layers onto convolution blocks and dense layers, in order. */
function mapLayers(rawLayers: unknown[]): Mapped {
  const layers = rawLayers.map(fileLayer);
  const arch: Architecture = { convs: [], dense: [] };
  const convLayers: FileLayer[] = [];
  const denseLayers: FileLayer[] = [];
  let activation: { name: ActivationName; from: FileLayer } | null = null;
  let pool: { name: PoolingName; from: FileLayer } | null = null;
  let pendingPadding: { padding: number; from: FileLayer } | null = null;
  let flattened = false;

  const hiddenActivation = (layer: FileLayer) => {
    const raw = field(layer.config, 'activation');
    if (typeof raw !== 'string' || !(ACTIVATIONS as readonly string[]).includes(raw)) {
      refuse(`model.json: ${layer.label} has activation ${quoted(raw)}; LeNet's hidden layers use ${ACTIVATIONS.join(', ')}`);
    }
    const name = raw as ActivationName;
    if (activation && activation.name !== name) {
      refuse(`model.json: ${layer.label} uses ${name} where ${activation.from.label} uses ${activation.name}; LeNet uses one activation for all hidden layers`);
    }
    activation ??= { name, from: layer };
  };
  const takePadding = (): number => {
    const padding = pendingPadding?.padding ?? 0;
    pendingPadding = null;
    return padding;
  };

  if (!layers.length) refuse('model.json: the Sequential model has no layers');
  // The input shape sits on an InputLayer (Keras) or on the first layer (tfjs).
  checkInput(layers[0]);
  const first = layers[0].className === 'InputLayer' ? 1 : 0;

  for (const layer of layers.slice(first)) {
    const { className, label } = layer;
    if (className !== 'ZeroPadding2D' && className !== 'Conv2D' && !POOL_CLASSES.has(className) && pendingPadding) {
      refuse(`model.json: ${pendingPadding.from.label} pads ${label}, a ${shown(className)}; LeNet pads only convolutions and pooling layers`);
    }
    if (flattened && className !== 'Dense') {
      refuse(`model.json: ${label} is a ${shown(className)} after Flatten; only Dense layers follow Flatten in LeNet`);
    }
    switch (className) {
      case 'ZeroPadding2D': {
        if (pendingPadding) refuse(`model.json: ${label} follows another ZeroPadding2D; LeNet pads once`);
        const padding = within(layer, 'padding', zeroPadding(layer), ARCH_LIMITS.padding);
        pendingPadding = { padding, from: layer };
        break;
      }
      case 'Conv2D': {
        channelsLast(layer);
        const filters = field(layer.config, 'filters');
        if (!isWhole(filters)) refuse(`model.json: ${label} has filters ${quoted(filters)}, not a count`);
        within(layer, 'filters', filters, ARCH_LIMITS.filters);
        const kernel = within(layer, 'kernel size', square(layer, 'kernel_size', 'kernel'), ARCH_LIMITS.kernel);
        const stride = within(layer, 'stride', square(layer, 'strides', 'stride', 1), ARCH_LIMITS.stride);
        if (square(layer, 'dilation_rate', 'dilation', 1) !== 1) refuse(`model.json: ${label} is dilated; LeNet's convolutions are not`);
        const groups = field(layer.config, 'groups');
        if (groups !== undefined && groups !== null && groups !== 1) refuse(`model.json: ${label} has groups ${quoted(groups)}; LeNet's convolutions have 1`);
        let padding: number;
        if (paddingMode(layer) === 'same') {
          if (pendingPadding) refuse(`model.json: ${label} has "same" padding after a ZeroPadding2D; LeNet pads once`);
          if (stride !== 1 || kernel % 2 === 0) {
            refuse(`model.json: ${label} has "same" padding with stride ${stride} and a ${kernel}×${kernel} kernel: it pads unevenly, which LeNet never does`);
          }
          padding = (kernel - 1) / 2;
        } else {
          padding = takePadding();
        }
        within(layer, 'padding', padding, ARCH_LIMITS.padding);
        hiddenActivation(layer);
        const useBias = field(layer.config, 'use_bias') ?? true;
        if (typeof useBias !== 'boolean') refuse(`model.json: ${label} has use_bias ${quoted(useBias)}, neither true nor false`);
        const block: ConvBlock = { filters, kernel, padding, stride, bias: useBias, init: null, pool: null };
        arch.convs.push(block);
        convLayers.push(layer);
        if (arch.convs.length > ARCH_LIMITS.convBlocks.max) {
          refuse(`model.json: ${label} is convolution ${arch.convs.length}; LeNet's family here has at most ${ARCH_LIMITS.convBlocks.max}`);
        }
        break;
      }
      case 'Flatten':
        channelsLast(layer);
        if (!arch.convs.length) refuse(`model.json: ${label} (Flatten) comes before any Conv2D; LeNet starts with convolutions`);
        flattened = true;
        break;
      case 'Dense': {
        if (!flattened) refuse(`model.json: ${label} is a Dense layer before Flatten`);
        const units = field(layer.config, 'units');
        if (!isWhole(units) || units < 1) refuse(`model.json: ${label} has units ${quoted(units)}, not a count`);
        const useBias = field(layer.config, 'use_bias') ?? true;
        if (useBias !== true) refuse(`model.json: ${label} has no bias; LeNet's dense layers have one`);
        arch.dense.push(units);
        denseLayers.push(layer);
        // Which one is the output is known at the end; checked there.
        break;
      }
      default: {
        const kind = POOL_CLASSES.get(className);
        if (!kind) {
          refuse(`model.json: ${label} is a ${shown(className)}, not a layer of LeNet's family (${FAMILY})`);
        }
        channelsLast(layer);
        const block = arch.convs.at(-1);
        if (!block) refuse(`model.json: ${label} (${className}) comes before any Conv2D; LeNet pools after a convolution`);
        if (block.pool) refuse(`model.json: ${label} is a second pooling layer after one convolution; LeNet pools once per block`);
        if (pool && pool.name !== kind) {
          refuse(`model.json: ${label} is a ${className} where ${pool.from.label} is a ${pool.name === 'avg' ? 'AveragePooling2D' : 'MaxPooling2D'}; LeNet uses one kind of pooling`);
        }
        pool ??= { name: kind, from: layer };
        const window = within(layer, 'pool size', square(layer, 'pool_size', 'window'), ARCH_LIMITS.window);
        const stride = within(layer, 'stride', square(layer, 'strides', 'stride', window), ARCH_LIMITS.stride);
        if (paddingMode(layer) !== 'valid') {
          refuse(`model.json: ${label} has "same" padding; LeNet's pooling layers pad with a ZeroPadding2D before them`);
        }
        const padding = within(layer, 'padding', takePadding(), ARCH_LIMITS.padding);
        block.pool = { window, stride, padding };
        break;
      }
    }
  }
  if (pendingPadding) refuse(`model.json: the last layer is a ZeroPadding2D; LeNet ends with a Dense layer`);
  if (!flattened || !arch.dense.length) refuse('model.json: the model ends before its Flatten and Dense layers; LeNet ends with a 10-unit Dense layer');

  const outputLayer = denseLayers[denseLayers.length - 1];
  const outputUnits = arch.dense.pop()!;
  if (outputUnits !== NUM_CLASSES) {
    refuse(`model.json: the output layer, ${outputLayer.label}, has ${count(outputUnits)} units; LeNet's has ${NUM_CLASSES}, one per class`);
  }
  const outputActivation = field(outputLayer.config, 'activation') ?? 'linear';
  if (outputActivation !== 'linear') {
    refuse(`model.json: the output layer, ${outputLayer.label}, has activation ${quoted(outputActivation)}; LeNet's output layer gives logits (linear)`);
  }
  for (const [index, units] of arch.dense.entries()) {
    hiddenActivation(denseLayers[index]);
    within(denseLayers[index], 'units', units, ARCH_LIMITS.units);
  }
  if (arch.dense.length > ARCH_LIMITS.denseLayers.max) {
    refuse(`model.json: the model has ${arch.dense.length} hidden Dense layers; at most ${ARCH_LIMITS.denseLayers.max} are allowed here`);
  }
  // With no hidden dense layer, the convolutions named the activation above.
  return {
    arch, activation: (activation as { name: ActivationName } | null)?.name ?? DEFAULT_CONFIG.activation,
    pool: (pool as { name: PoolingName } | null)?.name ?? DEFAULT_CONFIG.pool,
    owners: new Map([
      ...convLayers.map((layer, index) => [`conv${index + 1}`, layer] as const),
      ...denseLayers.map((layer, index) => [index === denseLayers.length - 1 ? 'output' : `dense${index + 1}`, layer] as const),
    ]),
  };
}

/**
 * The weights `buildModel(config)` makes, in its order, without building it:
 * each convolution's kernel [k, k, in, out] and bias, each dense layer's
 * kernel [in, out] and bias. The config's network must have shapes that work.
 */
export function neededWeights(config: Config): NeededWeight[] {
  const specs = networkLayers(config);
  const { rows } = networkTable(config);
  const weights: NeededWeight[] = [];
  let channels = 1;
  specs.forEach((spec, index) => {
    if (spec.kind === 'conv') {
      weights.push({ name: `${spec.name}/kernel`, shape: [spec.kernel, spec.kernel, channels, spec.filters] });
      if (spec.bias) weights.push({ name: `${spec.name}/bias`, shape: [spec.filters] });
      channels = spec.filters;
    } else if (spec.kind === 'dense') {
      const inputs = rows[index - 1].outputShape?.[1];
      if (inputs === undefined) throw new Error(`${spec.name}: its input has no shape`);
      weights.push({ name: `${spec.name}/kernel`, shape: [inputs, spec.units] }, { name: `${spec.name}/bias`, shape: [spec.units] });
    }
  });
  return weights;
}

/** The manifest's weights, all groups in order; one weights file. */
function manifestWeights(json: Record<string, unknown>): unknown[] {
  const manifest = field(json, 'weightsManifest');
  if (!Array.isArray(manifest)) refuse('model.json has no weightsManifest: it does not say what model.weights.bin holds');
  const weights: unknown[] = [];
  let paths = 0;
  for (const group of manifest) {
    if (!isRecord(group)) refuse('model.json: its weightsManifest holds something other than weight groups');
    const groupPaths = field(group, 'paths');
    if (Array.isArray(groupPaths)) paths += groupPaths.length;
    const specs = field(group, 'weights');
    if (!Array.isArray(specs)) refuse('model.json: a group of its weightsManifest lists no weights');
    weights.push(...specs);
  }
  if (paths > 1) refuse(`model.json: its weights are split over ${count(paths)} files; this app reads them from one model.weights.bin`);
  return weights;
}

/** Whether the file's weight name is `<layer>/<kind>` of the file's layer (optionally under a scope, as Keras writes "sequential/conv2d/kernel"). */
function sameWeight(name: string, layerName: string | null, kind: string): boolean {
  if (layerName === null) return name === kind || name.endsWith(`/${kind}`);
  const full = `${layerName}/${kind}`;
  return name === full || name.endsWith(`/${full}`);
}

function checkWeights(json: Record<string, unknown>, mapped: Mapped, config: Config, weights: ArrayBuffer): void {
  const needed = neededWeights(config);
  /** The weight's owner in the file's terms: "the kernel of layer 3 (conv2d_Conv2D2)". */
  const owner = (want: NeededWeight) => {
    const [layer, kind] = want.name.split('/');
    const fileLayer = mapped.owners.get(layer);
    return { fileLayer, kind, wanted: `the ${kind} of ${fileLayer?.label ?? layer}` };
  };
  const listed = manifestWeights(json);
  if (listed.length !== needed.length) {
    refuse(`model.json lists ${count(listed.length)} weights where the model needs ${count(needed.length)}`);
  }
  let elements = 0;
  needed.forEach((want, index) => {
    const { fileLayer, kind, wanted } = owner(want);
    const spec = listed[index];
    const at = `model.json: weight ${index + 1}`;
    if (!isRecord(spec)) refuse(`${at} is not a weight entry`);
    const name = field(spec, 'name');
    if (typeof name !== 'string') refuse(`${at} has no name where the model needs ${wanted}`);
    if (!sameWeight(name, fileLayer?.name ?? null, kind)) refuse(`${at} is ${quoted(name)} where the model needs ${wanted}`);
    const shape = field(spec, 'shape');
    const sameShape = Array.isArray(shape) && shape.length === want.shape.length && shape.every((n, i) => n === want.shape[i]);
    if (!sameShape) refuse(`${at} (${quoted(name)}) has shape ${quoted(shape)} where the model needs [${want.shape.join(', ')}]`);
    const dtype = field(spec, 'dtype');
    if (dtype !== 'float32') refuse(`${at} (${quoted(name)}) is ${quoted(dtype)}; this app reads float32 weights`);
    const quantization = field(spec, 'quantization');
    if (quantization !== undefined && quantization !== null) refuse(`${at} (${quoted(name)}) is quantized; this app reads plain float32 weights`);
    elements += want.shape.reduce((product, n) => product * n, 1);
  });
  const bytes = 4 * elements;
  if (weights.byteLength !== bytes) {
    refuse(`model.weights.bin: ${count(weights.byteLength)} bytes where the model needs ${count(bytes)}`);
  }
  const values = new Float32Array(weights);
  let offset = 0;
  for (const want of needed) {
    const size = want.shape.reduce((product, n) => product * n, 1);
    for (let i = offset; i < offset + size; i++) {
      if (!Number.isFinite(values[i])) {
        refuse(`model.weights.bin: ${owner(want).wanted} holds NaN or infinite values (from a run that diverged?); such a model predicts nothing`);
      }
    }
    offset += size;
  }
}

function read(modelJson: unknown, weights: unknown): ModelRead {
  if (typeof modelJson !== 'string') refuse('model.json could not be read as text');
  if (!(weights instanceof ArrayBuffer)) refuse('model.weights.bin could not be read');
  if (modelJson.length > MAX_MODEL_JSON_CHARS) {
    refuse(`model.json has ${count(modelJson.length)} characters; a model of LeNet's family needs far fewer (at most ${count(MAX_MODEL_JSON_CHARS)} are read)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(modelJson);
  } catch {
    refuse('model.json is not JSON: was another file chosen?');
  }
  if (!isRecord(json)) refuse('model.json holds no JSON object: it is not a tfjs model');
  const mapped = mapLayers(sequentialLayers(json));
  const { arch, activation, pool } = mapped;
  const config: Config = { ...DEFAULT_CONFIG, arch, activation, pool };
  // The same checks as a share link's layers: the grammar's limits, then shapes and the parameter limit.
  const parsed = parseArch(formatArch(arch));
  if (parsed.problem !== undefined) refuse(`model.json: the network ${parsed.problem}`);
  const cannot = networkTable(config).problems[0];
  if (cannot) refuse(`model.json: ${cannot}`);
  checkWeights(json, mapped, config, weights);
  return { config: { arch, activation, pool } };
}

/**
 * Checks model.json and its weights against LeNet's family; never throws.
 * The config's convolutions follow the global initializer (init null): the
 * weights come from the file anyway.
 */
export function readLenetModel(modelJson: string, weights: ArrayBuffer): ModelRead {
  try {
    return read(modelJson, weights);
  } catch (error) {
    if (error instanceof Refusal) return { problem: error.message };
    return { problem: 'model.json could not be read: it is not a model this app knows' };
  }
}
