/**
 * The network as data: the list of layers a config describes. The model
 * builder and the layer table both read this list, so what the table shows
 * (shapes, parameters, what cannot work) is what gets built.
 */
import type { ActivationName, Config, InitializerName, PoolingName } from '../config/params';
import { ARCH_LIMITS } from '../config/arch';
import { NUM_CLASSES } from '../data/idx';

export interface ConvSpec {
  kind: 'conv';
  name: string;
  filters: number;
  kernel: number;
  /** Zero padding on every side, as PyTorch's `padding=`. */
  padding: number;
  stride: number;
  activation: ActivationName;
  bias: boolean;
  init: InitializerName;
}

export interface PoolSpec {
  kind: 'pool';
  name: string;
  type: PoolingName;
  window: number;
  stride: number;
  padding: number;
}

export interface FlattenSpec {
  kind: 'flatten';
  name: string;
}

export interface DenseSpec {
  kind: 'dense';
  name: string;
  units: number;
  /** null for the output layer: it emits logits. */
  activation: ActivationName | null;
  init: InitializerName;
}

export type LayerSpec = ConvSpec | PoolSpec | FlattenSpec | DenseSpec;

export const IMAGE_SIZE = 28;
/** Pixels in one image. */
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/** One output per Fashion-MNIST class. */
export { NUM_CLASSES };

/** The layers of the config's network, with the global activation, initializer and pooling type applied. */
export function networkLayers(config: Config): LayerSpec[] {
  const { activation, init, pool, arch } = config;
  const layers: LayerSpec[] = [];
  arch.convs.forEach((conv, index) => {
    const n = index + 1;
    layers.push({
      kind: 'conv', name: `conv${n}`, filters: conv.filters, kernel: conv.kernel, padding: conv.padding,
      stride: conv.stride, activation, bias: conv.bias, init: conv.init ?? init,
    });
    if (conv.pool) layers.push({ kind: 'pool', name: `pool${n}`, type: pool, ...conv.pool });
  });
  layers.push({ kind: 'flatten', name: 'flatten' });
  arch.dense.forEach((units, index) => {
    layers.push({ kind: 'dense', name: `dense${index + 1}`, units, activation, init });
  });
  layers.push({ kind: 'dense', name: 'output', units: NUM_CLASSES, activation: null, init });
  return layers;
}

export interface LayerRow {
  name: string;
  description: string;
  /** Channels-first shape of one image after the layer, as the book prints it, e.g. [1, 6, 28, 28] or [1, 120]; null from a layer that cannot work on. */
  outputShape: number[] | null;
  parameters: number;
  /** Per image: convolutions and dense layers only. */
  multiplyAdds: number;
  /** Why this layer cannot work on its input, e.g. "conv3: its 5×5 kernel is larger than its 2×2 input". */
  problem: string | null;
}

export interface LayerTable {
  rows: LayerRow[];
  totalParameters: number;
  totalMultiplyAdds: number;
  /** Every reason this network cannot be trained; empty when it can. */
  problems: string[];
}

const ACTIVATION_NAMES: Record<ActivationName, string> = { sigmoid: 'sigmoid', relu: 'ReLU', tanh: 'tanh' };

function describe(spec: LayerSpec): string {
  switch (spec.kind) {
    case 'conv':
      return `Conv ${spec.filters}×${spec.kernel}×${spec.kernel}, padding ${spec.padding}` +
        (spec.stride !== 1 ? `, stride ${spec.stride}` : '') +
        `${spec.bias ? '' : ', no bias'}, ${ACTIVATION_NAMES[spec.activation]}`;
    case 'pool':
      return `${spec.type === 'avg' ? 'Average' : 'Max'} pool ${spec.window}×${spec.window}, stride ${spec.stride}` +
        (spec.padding ? `, padding ${spec.padding}` : '');
    case 'flatten':
      return 'Flatten';
    case 'dense':
      return `Dense ${spec.units}` + (spec.activation ? `, ${ACTIVATION_NAMES[spec.activation]}` : ' (logits)');
  }
}

/** Why a window (a kernel or a pool) cannot slide over a size×size input with this padding; null when it can. */
function windowProblem(name: string, what: string, window: number, size: number, padding: number): string | null {
  if (window <= size + 2 * padding) return null;
  const input = padding ? `${size}×${size} input padded to ${size + 2 * padding}×${size + 2 * padding}` : `${size}×${size} input`;
  return `${name}: its ${window}×${window} ${what} is larger than its ${input}`;
}

/**
 * Shapes, parameters and multiply-adds computed from the specs alone, so the
 * table can follow every keystroke without touching tfjs; a unit test checks
 * it against the built tfjs model. A layer that cannot work is named with the
 * reason, and the layers after it have no shape.
 */
export function layerTable(layers: LayerSpec[], parameterLimit = Infinity): LayerTable {
  let channels = 1;
  let size = IMAGE_SIZE;
  let features = 0;
  let broken = false;
  const rows: LayerRow[] = [];
  for (const spec of layers) {
    let parameters = 0;
    let multiplyAdds = 0;
    let problem: string | null = null;
    switch (spec.kind) {
      case 'conv': {
        parameters = spec.filters * (channels * spec.kernel * spec.kernel + (spec.bias ? 1 : 0));
        problem = windowProblem(spec.name, 'kernel', spec.kernel, size, spec.padding);
        size = Math.floor((size + 2 * spec.padding - spec.kernel) / spec.stride) + 1;
        multiplyAdds = size * size * spec.filters * channels * spec.kernel * spec.kernel;
        channels = spec.filters;
        break;
      }
      case 'pool':
        // As PyTorch: zero padding past half the window would make whole windows of padding.
        problem = 2 * spec.padding > spec.window
          ? `${spec.name}: its padding ${spec.padding} is more than half of its ${spec.window}×${spec.window} window`
          : windowProblem(spec.name, 'window', spec.window, size, spec.padding);
        size = Math.floor((size + 2 * spec.padding - spec.window) / spec.stride) + 1;
        break;
      case 'flatten':
        features = channels * size * size;
        break;
      case 'dense':
        parameters = features * spec.units + spec.units;
        multiplyAdds = features * spec.units;
        features = spec.units;
        break;
    }
    if (problem) broken = true;
    const outputShape = broken ? null : spec.kind === 'conv' || spec.kind === 'pool' ? [1, channels, size, size] : [1, features];
    rows.push({
      name: spec.name, description: describe(spec), outputShape,
      parameters: broken ? 0 : parameters, multiplyAdds: broken ? 0 : multiplyAdds, problem,
    });
  }
  const problems = rows.flatMap((row) => (row.problem ? [row.problem] : []));
  const totalParameters = rows.reduce((sum, row) => sum + row.parameters, 0);
  if (!broken && totalParameters > parameterLimit) {
    problems.push(
      `the network has ${totalParameters.toLocaleString('en-US')} parameters; at most ${parameterLimit.toLocaleString('en-US')} can be trained here`,
    );
  }
  return { rows, totalParameters, totalMultiplyAdds: rows.reduce((sum, row) => sum + row.multiplyAdds, 0), problems };
}

/** The config's network as the Layers table shows it, with the playground's parameter limit. */
export function networkTable(config: Config): LayerTable {
  return layerTable(networkLayers(config), ARCH_LIMITS.parameters);
}
