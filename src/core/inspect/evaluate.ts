/**
 * One pass of a model over a split, kept as plain per-image data: the class it
 * predicts and how sure it is. The epoch's test accuracy, the confusion matrix,
 * a cell's images and the top mistakes all come from this one pass, so the
 * views cost no second pass over the test split.
 */
import * as tf from '@tensorflow/tfjs';
import { sliceImages, type DeviceSplit } from '../train/deviceSplit';

export interface Evaluation {
  /** Which dataset image each row is. */
  images: Int32Array;
  /** True class per row. */
  labels: Int32Array;
  /** Predicted class (argmax) per row. */
  predicted: Int32Array;
  /** Softmax probability of the predicted class per row. */
  confidence: Float32Array;
}

const CHUNK = 1000;

/** Predictions for every row of `split`, in chunks, with one read-back at the end. */
export async function evaluateSplit(model: tf.LayersModel, split: DeviceSplit): Promise<Evaluation> {
  const chunks: tf.Tensor2D[] = [];
  let joined: tf.Tensor2D | null = null;
  try {
    for (let start = 0; start < split.count; start += CHUNK) {
      const size = Math.min(CHUNK, split.count - start);
      chunks.push(tf.tidy(() => {
        const probabilities = tf.softmax(model.apply(sliceImages(split, start, size), { training: false }) as tf.Tensor2D);
        // [size, 2]: predicted class (exact in float32), its probability.
        return tf.stack([probabilities.argMax(-1).cast('float32'), probabilities.max(-1)], 1) as tf.Tensor2D;
      }));
    }
    joined = chunks.length ? tf.concat(chunks, 0) : tf.zeros([0, 2]);
    const values = await joined.data();
    const predicted = new Int32Array(split.count);
    const confidence = new Float32Array(split.count);
    for (let i = 0; i < split.count; i++) {
      predicted[i] = values[2 * i];
      confidence[i] = values[2 * i + 1];
    }
    return { images: split.rows, labels: split.labelValues, predicted, confidence };
  } finally {
    for (const chunk of chunks) chunk.dispose();
    joined?.dispose();
  }
}
