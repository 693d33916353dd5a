import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { startWasmBackend } from '../../../scripts/lib/node';
import { DEFAULT_CONFIG, presetConfig } from '../config/params';
import { buildModel } from './build';
import { exportModel } from './export';
import { WEIGHTS_FILE } from './modelFiles';

beforeAll(async () => {
  await startWasmBackend();
});

describe('exportModel', () => {
  for (const config of [DEFAULT_CONFIG, presetConfig('djl'), presetConfig('modern')]) {
    it(`gives model.json and weights that plain tfjs loads back with the same outputs (${config.preset})`, async () => {
      const model = buildModel({ ...config, seed: 5 });
      const { modelJson, weights } = await exportModel(model);
      const json = JSON.parse(modelJson) as tf.io.ModelJSON;
      expect(json.weightsManifest[0].paths).toEqual([`./${WEIGHTS_FILE}`]);
      expect(weights.byteLength).toBe(model.countParams() * 4);
      // Our first-layer class is saved as the plain Conv2D it computes: nothing custom to register.
      expect(modelJson).not.toContain('DataConv2D');

      const loaded = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights,
      }));
      const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 7);
      const [ours, theirs] = [model, loaded].map((m) => m.predict(x) as tf.Tensor);
      expect(Array.from(await theirs.data())).toEqual(Array.from(await ours.data()));
      tf.dispose([x, ours, theirs]);
      loaded.dispose();
      model.dispose();
    });
  }
});
