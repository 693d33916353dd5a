/**
 * The changes a learner makes to the settings, as pure functions: the page's
 * controls only call these, so the rules (what a preset keeps, how many
 * layers there may be) live in one place and are tested in Node.
 */
import { ARCH_LIMITS, NEW_CONV_BLOCK, NEW_DENSE_UNITS, NEW_POOL, type ConvBlock, type PoolBlock } from './arch';
import { presetConfig, type Config, type PresetName } from './params';

/** A preset is a fresh starting point; what the learner trains on, where, and on how much data stay as they chose. */
export function withPreset(config: Config, preset: PresetName): Config {
  return { ...presetConfig(preset), backend: config.backend, kernels: config.kernels, train: config.train, test: config.test, dataset: config.dataset };
}

function withConvs(config: Config, convs: ConvBlock[]): Config {
  return { ...config, arch: { ...config.arch, convs } };
}

export type ConvField = 'filters' | 'kernel' | 'padding' | 'stride';

export function withConvField(config: Config, index: number, field: ConvField, value: number): Config {
  return withConvs(config, config.arch.convs.map((conv, i) => (i === index ? { ...conv, [field]: value } : conv)));
}

export function withPoolField(config: Config, index: number, field: keyof PoolBlock, value: number): Config {
  return withConvs(config, config.arch.convs.map((conv, i) =>
    (i === index && conv.pool ? { ...conv, pool: { ...conv.pool, [field]: value } } : conv)));
}

/** Adds a 2×2 pool after conv `index`, or takes its pool away. */
export function withPooling(config: Config, index: number, on: boolean): Config {
  return withConvs(config, config.arch.convs.map((conv, i) =>
    (i === index ? { ...conv, pool: on ? conv.pool ?? { ...NEW_POOL } : null } : conv)));
}

export function withUnits(config: Config, index: number, units: number): Config {
  return { ...config, arch: { ...config.arch, dense: config.arch.dense.map((u, i) => (i === index ? units : u)) } };
}

export const canAddConv = (config: Config) => config.arch.convs.length < ARCH_LIMITS.convBlocks.max;
export const canRemoveConv = (config: Config) => config.arch.convs.length > ARCH_LIMITS.convBlocks.min;
export const canAddDense = (config: Config) => config.arch.dense.length < ARCH_LIMITS.denseLayers.max;

/** A new block goes after the last one, before the dense layers. */
export function addConvBlock(config: Config): Config {
  if (!canAddConv(config)) return config;
  return withConvs(config, [...config.arch.convs, { ...NEW_CONV_BLOCK, pool: NEW_CONV_BLOCK.pool && { ...NEW_CONV_BLOCK.pool } }]);
}

export function removeConvBlock(config: Config, index: number): Config {
  if (!canRemoveConv(config)) return config;
  return withConvs(config, config.arch.convs.filter((_, i) => i !== index));
}

/** A new dense layer goes just before the output. */
export function addDenseLayer(config: Config): Config {
  if (!canAddDense(config)) return config;
  return { ...config, arch: { ...config.arch, dense: [...config.arch.dense, NEW_DENSE_UNITS] } };
}

export function removeDenseLayer(config: Config, index: number): Config {
  return { ...config, arch: { ...config.arch, dense: config.arch.dense.filter((_, i) => i !== index) } };
}
