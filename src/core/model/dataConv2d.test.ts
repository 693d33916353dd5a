import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetConfig, type PresetName } from '../config/params';
import { buildModel } from './build';
import { DataConv2D } from './dataConv2d';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function batch(seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return {
    x: tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', seed) as tf.Tensor4D,
    y: tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), 10).toFloat() as tf.Tensor2D,
  };
}

describe('DataConv2D (the first convolution)', () => {
  it('computes what tfjs-layers\' Conv2D computes, forward and backward', () => {
    const geometries = [{ padding: 'same', strides: 1 }, { padding: 'valid', strides: 2 }] as const;
    for (const [activation, { padding, strides }] of [['sigmoid', geometries[0]], ['relu', geometries[1]], ['tanh', geometries[0]]] as const) {
      const options = { name: 'c', filters: 6, kernelSize: 5, padding, strides, activation, useBias: true, inputShape: [28, 28, 1] as [number, number, number] };
      const ours = tf.sequential({ layers: [new DataConv2D({ ...options, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
      const theirs = tf.sequential({ layers: [tf.layers.conv2d({ ...options, kernelInitializer: 'glorotUniform' })] });
      const weights = [tf.randomNormal([5, 5, 1, 6], 0, 0.3, 'float32', 2), tf.randomNormal([6], 0, 0.3, 'float32', 3)];
      ours.setWeights(weights);
      theirs.setWeights(weights);
      const { x } = batch(4);
      const loss = (model: tf.Sequential) => () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
      const a = tf.variableGrads(loss(ours));
      const b = tf.variableGrads(loss(theirs));
      expect(a.value.dataSync()[0]).toBeCloseTo(b.value.dataSync()[0], 3);
      const gradsA = Object.values(a.grads);
      const gradsB = Object.values(b.grads);
      expect(gradsA.map((g) => g.shape)).toEqual(gradsB.map((g) => g.shape));
      gradsA.forEach((g, i) => {
        const diff = tf.max(tf.abs(tf.sub(g, gradsB[i]))).dataSync()[0];
        expect(diff).toBeLessThan(1e-4);
      });
      tf.dispose([ours, theirs, weights, x, a.value, b.value, gradsA, gradsB] as never);
    }
  });

  it('spares a training step the unused input gradient of the first convolution', async () => {
    for (const preset of ['d2l', 'djl', 'modern'] as PresetName[]) {
      const model = buildModel(presetConfig(preset));
      const { x, y } = batch(5);
      const profile = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
        tf.dispose([value, Object.values(grads)]);
      });
      const backpropInputs = profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length;
      // One: conv2's input gradient, which conv1's weights need. None for conv1.
      expect(backpropInputs, preset).toBe(1);
      if (preset === 'd2l') {
        // As a tutorial builds it (tfjs-layers' Conv2D, bias fused): conv1's too.
        const tutorial = buildModel(presetConfig(preset), undefined, { tfjsLayersOnly: true });
        const again = await tf.profile(() => {
          const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, tutorial.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
          tf.dispose([value, Object.values(grads)]);
        });
        expect(again.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length).toBe(2);
        tutorial.dispose();
      }
      model.dispose();
      tf.dispose([x, y]);
    }
  });
});
