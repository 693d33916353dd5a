/**
 * A model the learner imported, made ready for the views: built the app's
 * way (build.ts) from what core/model/modelImport.ts read off model.json,
 * given the file's weights, and measured on the test split once, as an
 * epoch's test pass is.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG } from '../core/config/params';
import type { Dataset } from '../core/data/idx';
import { accuracyOf, confusionMatrix, type ConfusionMatrix } from '../core/inspect/confusion';
import { evaluateSplit, type Evaluation } from '../core/inspect/evaluate';
import { buildModel } from '../core/model/build';
import type { ImportedConfig } from '../core/model/modelImport';
import { disposeSplit, toDevice } from '../core/train/deviceSplit';

/**
 * The network `config` describes with `weights` (float32, in the order of
 * the model's weights, as readLenetModel checked) instead of initial ones.
 * Throws, having freed everything, when the bytes do not fit.
 */
export function buildImportedModel(config: ImportedConfig, weights: ArrayBuffer): tf.Sequential {
  const model = buildModel({ ...DEFAULT_CONFIG, ...config });
  const values: tf.Tensor[] = [];
  try {
    let offset = 0;
    for (const weight of model.weights) {
      const shape = weight.shape.map((n) => n ?? 1);
      const size = shape.reduce((product, n) => product * n, 1);
      const end = offset + 4 * size;
      if (end > weights.byteLength) throw new Error(`the weights file ends inside ${weight.originalName}`);
      values.push(tf.tensor(new Float32Array(weights.slice(offset, end)), shape));
      offset = end;
    }
    if (offset !== weights.byteLength) throw new Error(`the weights file has ${weights.byteLength - offset} bytes more than the model`);
    model.setWeights(values);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(values);
  }
}

export interface ImportedEvaluation {
  evaluation: Evaluation;
  confusion: ConfusionMatrix;
  testAccuracy: number;
}

/** One test pass over `count` images of `test` (a fixed subset when fewer than all), as train.ts does after each epoch. */
export async function evaluateImported(model: tf.LayersModel, test: Dataset, count: number): Promise<ImportedEvaluation> {
  const split = toDevice(test, count);
  try {
    const evaluation = await evaluateSplit(model, split);
    const confusion = confusionMatrix(evaluation.labels, evaluation.predicted);
    return { evaluation, confusion, testAccuracy: accuracyOf(confusion) };
  } finally {
    disposeSplit(split);
  }
}
