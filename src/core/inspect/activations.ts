/**
 * What the network computes for one image: every conv layer's output (after
 * its activation) and every pool layer's, the class probabilities, and the
 * first convolution's kernels. The layers are applied one by one to the image,
 * as CNN Explainer does, so nothing new is built or cached per query, and all
 * of it comes back in one read-back.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../model/architecture';

/** One layer's output for one image: `channels` maps of height × width, channel after channel. */
export interface FeatureMaps {
  layer: string;
  kind: 'conv' | 'pool';
  channels: number;
  height: number;
  width: number;
  values: Float32Array;
}

/** The first convolution's kernels (its input is the one-channel image): `count` of size × size. */
export interface Kernels {
  layer: string;
  count: number;
  size: number;
  values: Float32Array;
}

export interface ImageActivations {
  maps: FeatureMaps[];
  probabilities: Float32Array;
  kernels: Kernels | null;
}

/** DataConv2D calls itself Conv2D too (see dataConv2d.ts). */
const CONV_CLASSES = new Set(['Conv2D']);
const POOL_CLASSES = new Set(['AveragePooling2D', 'MaxPooling2D']);

function kindOf(layer: tf.layers.Layer): FeatureMaps['kind'] | null {
  const name = layer.getClassName();
  if (CONV_CLASSES.has(name)) return 'conv';
  return POOL_CLASSES.has(name) ? 'pool' : null;
}

/** 784 pixels (0…255 bytes, or 0…1 floats) as the model's one-image input. */
export function imageInput(pixels: Uint8Array | Float32Array): tf.Tensor4D {
  if (pixels.length !== IMAGE_PIXELS) {
    throw new Error(`an image has ${IMAGE_PIXELS} pixels, not ${pixels.length}`);
  }
  return tf.tidy(() => {
    const values = pixels instanceof Uint8Array ? tf.tensor(pixels, undefined, 'int32').div(255) : tf.tensor(pixels).clipByValue(0, 1);
    return values.reshape([1, IMAGE_SIZE, IMAGE_SIZE, 1]) as tf.Tensor4D;
  });
}

/** Class probabilities for each image of a [n, 28, 28, 1] batch, n × classes values. */
export async function predictProbabilities(model: tf.LayersModel, images: tf.Tensor4D): Promise<Float32Array> {
  const probabilities = tf.tidy(() => tf.softmax(model.apply(images, { training: false }) as tf.Tensor2D));
  try {
    return (await probabilities.data()) as Float32Array;
  } finally {
    probabilities.dispose();
  }
}

/** Every conv and pool layer's output, the probabilities and the first kernels for one [1, 28, 28, 1] image. */
export async function activations(model: tf.LayersModel, image: tf.Tensor4D): Promise<ImageActivations> {
  const maps: Omit<FeatureMaps, 'values'>[] = [];
  let kernels: Omit<Kernels, 'values'> | null = null;
  const flat = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    let x: tf.Tensor = image;
    for (const layer of model.layers) {
      x = layer.apply(x, { training: false }) as tf.Tensor;
      const kind = kindOf(layer);
      if (!kind) continue;
      const [, height, width, channels] = x.shape;
      maps.push({ layer: layer.name, kind, channels, height, width });
      // NHWC → channel after channel, each map row-major.
      parts.push(x.squeeze([0]).transpose([2, 0, 1]).flatten());
      if (kind === 'conv' && !kernels) {
        const weights = layer.getWeights()[0] as tf.Tensor4D;
        const [size, , inputChannels, count] = weights.shape;
        if (inputChannels === 1) {
          kernels = { layer: layer.name, count, size };
          parts.push(weights.transpose([3, 2, 0, 1]).flatten());
        }
      }
    }
    parts.push(tf.softmax(x.flatten()));
    return tf.concat(parts);
  });
  let values: Float32Array;
  try {
    values = (await flat.data()) as Float32Array;
  } finally {
    flat.dispose();
  }
  let offset = 0;
  const take = (length: number) => values.slice(offset, (offset += length));
  const result: ImageActivations = { maps: [], probabilities: new Float32Array(0), kernels: null };
  for (const map of maps) {
    result.maps.push({ ...map, values: take(map.channels * map.height * map.width) });
    if (kernels && (kernels as Kernels).layer === map.layer) {
      const k = kernels as Omit<Kernels, 'values'>;
      result.kernels = { ...k, values: take(k.count * k.size * k.size) };
    }
  }
  result.probabilities = take(values.length - offset);
  return result;
}
