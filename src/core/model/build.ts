import * as tf from '@tensorflow/tfjs';
import type { Config, InitializerName } from '../config/params';
import { IMAGE_SIZE, networkLayers, type LayerSpec } from './architecture';
import { DataConv2D } from './dataConv2d';

function initializer(name: InitializerName, seed: number): tf.serialization.Serializable {
  switch (name) {
    case 'xavier':
      return tf.initializers.glorotUniform({ seed });
    case 'normal':
      return tf.initializers.randomNormal({ mean: 0, stddev: 0.01, seed });
    case 'he':
      return tf.initializers.heNormal({ seed });
  }
}

/**
 * tfjs only knows 'same' and 'valid' padding, so symmetric PyTorch-style
 * padding that is not 'same' becomes an explicit zero-padding layer. For
 * average pooling that matches PyTorch's default count_include_pad=True.
 */
function paddingFor(kernel: number, stride: number, padding: number): 'same' | 'valid' | 'explicit' {
  if (padding === 0) return 'valid';
  if (stride === 1 && 2 * padding === kernel - 1) return 'same';
  return 'explicit';
}

export interface BuildOptions {
  /**
   * Only tfjs-layers' own layers, as a tfjs tutorial writes the network: the
   * first convolution then computes its unused input gradient. For the
   * benchmark's "tfjs as shipped" baseline.
   */
  tfjsLayersOnly?: boolean;
}

/** Builds LeNet (or whatever the spec list says) with seeded initial weights. */
export function buildModel(config: Config, layers: LayerSpec[] = networkLayers(config), options: BuildOptions = {}): tf.Sequential {
  const { tfjsLayersOnly = false } = options;
  const model = tf.sequential({ name: `lenet_${config.preset}` });
  let first = true;
  // No layer before it has weights, so its input gradient is never needed.
  let beforeAnyWeights = true;
  const inputShape = (): { inputShape?: [number, number, number] } =>
    first ? { inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] } : {};
  const add = (layer: tf.layers.Layer) => {
    model.add(layer);
    first = false;
  };
  layers.forEach((spec, index) => {
    // Each layer gets its own stream of the run's seed.
    const seed = config.seed * 16 + index;
    switch (spec.kind) {
      case 'conv': {
        const padding = paddingFor(spec.kernel, spec.stride, spec.padding);
        if (padding === 'explicit') {
          add(tf.layers.zeroPadding2d({ ...inputShape(), padding: spec.padding, name: `${spec.name}_pad` }));
        }
        const options = {
          ...inputShape(),
          name: spec.name,
          filters: spec.filters,
          kernelSize: spec.kernel,
          strides: spec.stride,
          padding: padding === 'same' ? 'same' as const : 'valid' as const,
          activation: spec.activation,
          useBias: spec.bias,
          kernelInitializer: initializer(spec.init, seed),
        };
        add(beforeAnyWeights && !tfjsLayersOnly
          ? new DataConv2D(options)
          : tf.layers.conv2d({ ...options, kernelInitializer: options.kernelInitializer as never, biasInitializer: 'zeros' }));
        beforeAnyWeights = false;
        break;
      }
      case 'pool': {
        if (paddingFor(spec.window, spec.stride, spec.padding) !== 'valid') {
          add(tf.layers.zeroPadding2d({ ...inputShape(), padding: spec.padding, name: `${spec.name}_pad` }));
        }
        const options = { ...inputShape(), name: spec.name, poolSize: spec.window, strides: spec.stride, padding: 'valid' as const };
        add(spec.type === 'avg' ? tf.layers.averagePooling2d(options) : tf.layers.maxPooling2d(options));
        break;
      }
      case 'flatten':
        add(tf.layers.flatten({ ...inputShape(), name: spec.name }));
        break;
      case 'dense':
        beforeAnyWeights = false;
        add(tf.layers.dense({
          ...inputShape(),
          name: spec.name,
          units: spec.units,
          activation: spec.activation ?? 'linear',
          kernelInitializer: initializer(spec.init, seed) as never,
          biasInitializer: 'zeros',
        }));
        break;
    }
  });
  return model;
}

export function buildOptimizer(config: Config): tf.Optimizer {
  switch (config.optimizer) {
    case 'sgd':
      return tf.train.sgd(config.lr);
    case 'momentum':
      return tf.train.momentum(config.lr, 0.9);
    case 'adam':
      return tf.train.adam(config.lr);
  }
}
