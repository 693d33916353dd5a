/**
 * The network as data: a list of layers derived from a config. The model
 * builder and the layer table both read this list, so an editable
 * architecture later only has to produce a different list.
 */
import type { ActivationName, Config, InitializerName, PoolingName } from '../config/params';
import { NUM_CLASSES } from '../data/idx';

export interface ConvSpec {
  kind: 'conv';
  name: string;
  filters: number;
  kernel: number;
  /** Zero padding on every side, as PyTorch's `padding=`. */
  padding: number;
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

export function lenetLayers(config: Config): LayerSpec[] {
  const { activation, init, pool } = config;
  // The DJL notebook pools with a 5×5 window, stride 2, padding 2 (same output
  // size as 2×2 stride 2) and leaves out the first convolution's bias.
  const djl = config.preset === 'djl';
  const pooling = (name: string): PoolSpec =>
    djl
      ? { kind: 'pool', name, type: pool, window: 5, stride: 2, padding: 2 }
      : { kind: 'pool', name, type: pool, window: 2, stride: 2, padding: 0 };
  return [
    { kind: 'conv', name: 'conv1', filters: 6, kernel: 5, padding: 2, activation, bias: !djl, init: djl ? 'normal' : init },
    pooling('pool1'),
    { kind: 'conv', name: 'conv2', filters: 16, kernel: 5, padding: 0, activation, bias: true, init },
    pooling('pool2'),
    { kind: 'flatten', name: 'flatten' },
    { kind: 'dense', name: 'dense1', units: 120, activation, init },
    { kind: 'dense', name: 'dense2', units: 84, activation, init },
    { kind: 'dense', name: 'output', units: NUM_CLASSES, activation: null, init },
  ];
}

/** Channels-first shape of one image after each layer, as the book prints it. */
export interface LayerRow {
  name: string;
  description: string;
  /** e.g. [1, 6, 28, 28] or [1, 120] */
  outputShape: number[];
  parameters: number;
}

export interface LayerTable {
  rows: LayerRow[];
  totalParameters: number;
}

const ACTIVATION_NAMES: Record<ActivationName, string> = { sigmoid: 'sigmoid', relu: 'ReLU', tanh: 'tanh' };

function describe(spec: LayerSpec): string {
  switch (spec.kind) {
    case 'conv':
      return `Conv ${spec.filters}×${spec.kernel}×${spec.kernel}, padding ${spec.padding}` +
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

/**
 * Shapes and parameter counts computed from the specs alone, so the table can
 * update on every keystroke without touching tfjs. A unit test checks it
 * against the built tfjs model.
 */
export function layerTable(layers: LayerSpec[]): LayerTable {
  let channels = 1;
  let size = IMAGE_SIZE;
  let features = 0;
  const rows: LayerRow[] = [];
  for (const spec of layers) {
    let parameters = 0;
    let outputShape: number[];
    switch (spec.kind) {
      case 'conv':
        parameters = spec.filters * (channels * spec.kernel * spec.kernel + (spec.bias ? 1 : 0));
        channels = spec.filters;
        size = size + 2 * spec.padding - spec.kernel + 1;
        outputShape = [1, channels, size, size];
        break;
      case 'pool':
        size = Math.floor((size + 2 * spec.padding - spec.window) / spec.stride) + 1;
        outputShape = [1, channels, size, size];
        break;
      case 'flatten':
        features = channels * size * size;
        outputShape = [1, features];
        break;
      case 'dense':
        parameters = features * spec.units + spec.units;
        features = spec.units;
        outputShape = [1, features];
        break;
    }
    rows.push({ name: spec.name, description: describe(spec), outputShape, parameters });
  }
  return { rows, totalParameters: rows.reduce((sum, row) => sum + row.parameters, 0) };
}
