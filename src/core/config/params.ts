/**
 * The one declarative list of everything a learner can set. It drives the URL
 * codec, the command-line trainer and the playground's controls, so a new
 * parameter is added here and nowhere else.
 */
import type { Architecture, PoolBlock } from './arch';
import { DATASETS, type DatasetName } from '../data/datasets';

export const PRESETS = ['d2l', 'djl', 'modern'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export const INITIALIZERS = ['xavier', 'normal', 'he'] as const;
export const ACTIVATIONS = ['sigmoid', 'relu', 'tanh'] as const;
export const POOLINGS = ['avg', 'max'] as const;
export const BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export const GPU_KERNELS = ['compiled', 'tfjs'] as const;
export { DATASETS };

export type PresetName = (typeof PRESETS)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type InitializerName = (typeof INITIALIZERS)[number];
export type ActivationName = (typeof ACTIVATIONS)[number];
export type PoolingName = (typeof POOLINGS)[number];
export type BackendName = (typeof BACKENDS)[number];
export type GpuKernelsName = (typeof GPU_KERNELS)[number];

export interface Config {
  preset: PresetName;
  dataset: DatasetName;
  arch: Architecture;
  lr: number;
  batch: number;
  epochs: number;
  optimizer: OptimizerName;
  init: InitializerName;
  activation: ActivationName;
  pool: PoolingName;
  seed: number;
  train: number;
  test: number;
  backend: BackendName;
  kernels: GpuKernelsName;
}

export type ConfigKey = keyof Config;

interface ParamBase<K extends ConfigKey> {
  key: K;
  /** Visible label of the control, also its accessible name. */
  label: string;
  help: string;
}

export interface NumberParam<K extends ConfigKey = ConfigKey> extends ParamBase<K> {
  kind: 'number';
  integer: boolean;
  min: number;
  max: number;
  /** Suggested step for a number input (any value in range is still valid). */
  step: number;
}

export interface ChoiceParam<K extends ConfigKey = ConfigKey> extends ParamBase<K> {
  kind: 'choice';
  choices: readonly string[];
  /** Human names for the choices, same order. */
  choiceLabels: readonly string[];
}

/** The layer list, written as in src/core/config/arch.ts; edited by the Architecture section. */
export interface LayersParam<K extends ConfigKey = ConfigKey> extends ParamBase<K> {
  kind: 'layers';
}

export type Param = NumberParam | ChoiceParam | LayersParam;

export const TRAIN_IMAGES_MAX = 60_000;
export const TEST_IMAGES_MAX = 10_000;

/** In URL order: share links are written in this order. */
export const PARAMS: readonly Param[] = [
  {
    key: 'preset', kind: 'choice', label: 'Preset', choices: PRESETS,
    choiceLabels: ['d2l book', 'DJL notebook', 'Modern LeNet'],
    help: 'A starting point: every other setting is relative to it.',
  },
  {
    key: 'dataset', kind: 'choice', label: 'Dataset', choices: DATASETS,
    choiceLabels: ['Fashion-MNIST', 'MNIST digits', 'Your own files'],
    help: 'What the network learns to tell apart. Your own files never leave this computer.',
  },
  {
    key: 'arch', kind: 'layers', label: 'Architecture',
    help: 'The layers: convolution blocks, each with an optional pooling layer, then dense layers.',
  },
  {
    key: 'lr', kind: 'number', label: 'Learning rate', integer: false, min: 1e-6, max: 10, step: 0.01,
    help: 'Step size of each update. The book uses 0.9 with plain SGD.',
  },
  {
    key: 'batch', kind: 'number', label: 'Batch size', integer: true, min: 1, max: 2048, step: 1,
    help: 'Images per update.',
  },
  {
    key: 'epochs', kind: 'number', label: 'Epochs', integer: true, min: 1, max: 100, step: 1,
    help: 'Passes over the training images.',
  },
  {
    key: 'optimizer', kind: 'choice', label: 'Optimizer', choices: OPTIMIZERS,
    choiceLabels: ['SGD', 'SGD with momentum 0.9', 'Adam'],
    help: 'How gradients become weight updates.',
  },
  {
    key: 'init', kind: 'choice', label: 'Initializer', choices: INITIALIZERS,
    choiceLabels: ['Xavier (Glorot uniform)', 'Normal (σ = 0.01)', 'He (normal)'],
    help: 'How weights start. Biases start at zero.',
  },
  {
    key: 'activation', kind: 'choice', label: 'Activation', choices: ACTIVATIONS,
    choiceLabels: ['Sigmoid', 'ReLU', 'Tanh'],
    help: 'Non-linearity after every hidden layer.',
  },
  {
    key: 'pool', kind: 'choice', label: 'Pooling', choices: POOLINGS,
    choiceLabels: ['Average', 'Max'],
    help: 'How each pooling layer summarises a window.',
  },
  {
    key: 'seed', kind: 'number', label: 'Seed', integer: true, min: 0, max: 2_147_483_647, step: 1,
    help: 'Same seed, same backend: same initial weights and batch order.',
  },
  {
    key: 'train', kind: 'number', label: 'Training images', integer: true, min: 1, max: TRAIN_IMAGES_MAX, step: 1,
    help: 'How many training images to use: Fashion-MNIST has 60,000, the MNIST digits here 8,499. A larger number uses them all.',
  },
  {
    key: 'test', kind: 'number', label: 'Test images', integer: true, min: 1, max: TEST_IMAGES_MAX, step: 1,
    help: 'How many test images to measure accuracy on: Fashion-MNIST has 10,000, the MNIST digits here 1,501.',
  },
  {
    key: 'backend', kind: 'choice', label: 'Backend', choices: BACKENDS,
    choiceLabels: ['Automatic', 'WebGPU', 'WebGL', 'WebAssembly', 'CPU (plain JavaScript)'],
    help: 'Where the arithmetic runs. Automatic picks the fastest that works here.',
  },
  {
    key: 'kernels', kind: 'choice', label: 'WebGPU kernels', choices: GPU_KERNELS,
    choiceLabels: ['Compiled training step', 'tfjs kernels'],
    help: 'On WebGPU: the compiled training step (a few fused GPU programs per step), or tfjs\'s own kernels, to compare.',
  },
];

export function paramFor(key: ConfigKey): Param {
  const param = PARAMS.find((p) => p.key === key);
  if (!param) throw new Error(`unknown parameter ${key}`);
  return param;
}

const pool2: PoolBlock = { window: 2, stride: 2, padding: 0 };

/** The book's LeNet (also the Modern preset's layers). */
export const LENET_ARCH: Architecture = {
  convs: [
    { filters: 6, kernel: 5, padding: 2, stride: 1, bias: true, init: null, pool: pool2 },
    { filters: 16, kernel: 5, padding: 0, stride: 1, bias: true, init: null, pool: pool2 },
  ],
  dense: [120, 84],
};

/** The DJL notebook: 5×5 pools, stride 2, padding 2 (same sizes as 2×2), and a first conv without bias, Normal-initialised. */
export const DJL_ARCH: Architecture = {
  convs: LENET_ARCH.convs.map((conv, index) => ({
    ...conv,
    bias: index !== 0,
    init: index === 0 ? 'normal' : null,
    pool: { window: 5, stride: 2, padding: 2 },
  })),
  dense: LENET_ARCH.dense,
};


const BOOK: Config = {
  preset: 'd2l',
  dataset: 'fashion',
  arch: LENET_ARCH,
  lr: 0.9,
  batch: 256,
  epochs: 10,
  optimizer: 'sgd',
  init: 'xavier',
  activation: 'sigmoid',
  pool: 'avg',
  seed: 1,
  train: TRAIN_IMAGES_MAX,
  test: TEST_IMAGES_MAX,
  backend: 'auto',
  kernels: 'compiled',
};

export interface PresetInfo {
  name: PresetName;
  label: string;
  description: string;
  config: Config;
}

export const PRESET_INFO: Record<PresetName, PresetInfo> = {
  d2l: {
    name: 'd2l',
    label: 'd2l book',
    description: 'The book\'s text: sigmoid, 2×2 average pooling, SGD at 0.9, batch 256, 10 epochs.',
    config: BOOK,
  },
  djl: {
    name: 'djl',
    label: 'DJL notebook',
    description:
      'The book\'s Java notebook: 5×5 pooling windows, stride 2, padding 2; the first convolution has no bias and Normal initial weights.',
    config: { ...BOOK, preset: 'djl', arch: DJL_ARCH },
  },
  modern: {
    name: 'modern',
    label: 'Modern LeNet',
    description: 'ReLU, max pooling, He initialisation and Adam: learns far faster than the 1998 recipe.',
    config: {
      ...BOOK, preset: 'modern', activation: 'relu', pool: 'max', init: 'he', optimizer: 'adam', lr: 0.005,
    },
  },
};

export const DEFAULT_CONFIG: Config = PRESET_INFO.d2l.config;

/** A fresh copy: the editor may change its layers. */
export function presetConfig(preset: PresetName): Config {
  const config = PRESET_INFO[preset].config;
  return { ...config, arch: copyArch(config.arch) };
}

function copyArch(arch: Architecture): Architecture {
  return {
    convs: arch.convs.map((conv) => ({ ...conv, pool: conv.pool && { ...conv.pool } })),
    dense: [...arch.dense],
  };
}
