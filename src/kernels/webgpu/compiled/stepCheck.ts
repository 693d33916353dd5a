/**
 * The compiled step against tfjs's cpu backend: the same weights, the same
 * rows, two steps. Checked per case: each step's loss and correct count, every
 * weight gradient of the first step (from the update: SGD and momentum move a
 * weight by lr × gradient on step one), and every weight after each step.
 * Runs wherever tfjs has both a cpu and a webgpu backend: under Node on Dawn
 * (scripts/check-compiled-step.ts) and in Chromium (the bench page, e2e).
 */
import * as tf from '@tensorflow/tfjs';
import { decode } from '../../../core/config/codec';
import type { Config } from '../../../core/config/params';
import type { Dataset } from '../../../core/data/idx';
import { seededRandom } from '../../../core/data/shuffle';
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES, networkLayers } from '../../../core/model/architecture';
import { buildModel, buildOptimizer } from '../../../core/model/build';
import { disposeSplit, toDevice } from '../../../core/train/deviceSplit';
import { disposeOptimizer } from '../../../core/train/train';
import { compileTrainingStep, weightVariable } from './compiledStep';
import { maxAbs, relError } from '../../shared/testValues';
import { STEP_CHECK_CASES, type StepCheckCase } from './stepCheckCases';
import { planStep, PACKED_SPLIT_WIDTH } from './stepPlan';

/** `count` seeded values in 0 … modulo − 1. */
function randomBytes(count: number, seed: number, modulo: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length: count }, () => Math.floor(random() * modulo));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let most = 0;
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i] - b[i]));
  return Number.isNaN(most) ? Infinity : most;
}

interface Reference {
  weights: Float32Array[][];
  gradients: Float32Array[];
  losses: number[];
  correct: number[];
}

/** Two tfjs steps on the cpu backend from `initial`, over the same rows as the compiled step. */
async function cpuReference(config: Config, initial: tf.Tensor[], dataset: Dataset, order: Int32Array, rows: number): Promise<Reference> {
  await tf.setBackend('cpu');
  const model = buildModel(config);
  model.setWeights(initial);
  const optimizer = buildOptimizer(config);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const out: Reference = { weights: [], gradients: [], losses: [], correct: [] };
  try {
    for (let step = 0; step < 2; step++) {
      const indices = Array.from(order.subarray(step * rows, (step + 1) * rows));
      const { value, grads } = tf.tidy(() => {
        const x = tf.tensor4d(indices.flatMap((r) => Array.from(dataset.images.subarray(r * IMAGE_PIXELS, (r + 1) * IMAGE_PIXELS))),
          [rows, IMAGE_SIZE, IMAGE_SIZE, 1]).div(255);
        const labels = tf.tensor1d(indices.map((r) => dataset.labels[r]), 'int32');
        const y = tf.oneHot(labels, NUM_CLASSES);
        let correct: tf.Scalar | null = null;
        const result = tf.variableGrads(() => {
          const logits = model.apply(x, { training: true }) as tf.Tensor2D;
          correct = tf.keep(logits.argMax(-1).equal(labels).sum());
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, variables);
        out.correct.push((correct as tf.Scalar | null)!.dataSync()[0]);
        (correct as tf.Scalar | null)!.dispose();
        return result;
      });
      out.losses.push(value.dataSync()[0]);
      if (step === 0) out.gradients = variables.map((v) => grads[v.name].dataSync() as Float32Array);
      optimizer.applyGradients(grads);
      value.dispose();
      tf.dispose(Object.values(grads));
      out.weights.push(variables.map((v) => v.dataSync() as Float32Array));
    }
  } finally {
    disposeOptimizer(optimizer);
    model.dispose();
  }
  return out;
}

async function checkCase(name: string, query: string, rows: number): Promise<StepCheckCase> {
  const { config: decoded, problems } = decode(query);
  if (problems.length) throw new Error(`${query}: ${problems.map((p) => p.message).join('; ')}`);
  const config: Config = { ...decoded, seed: 7 };
  const count = 2 * config.batch;
  const dataset: Dataset = {
    images: randomBytes(count * IMAGE_PIXELS, 11, 256), labels: randomBytes(count, 5, NUM_CLASSES), count, rows: IMAGE_SIZE, cols: IMAGE_SIZE,
  };
  // A shuffled order, so the step really reads rows through it.
  const order = Int32Array.from({ length: count }, (_, i) => (i * 7 + 3) % count);

  await tf.setBackend('cpu');
  const initialModel = buildModel(config);
  const initialValues = initialModel.getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const shapes = initialModel.getWeights().map((w) => w.shape);
  initialModel.dispose();
  const initial = () => initialValues.map((v, i) => tf.tensor(v, shapes[i]));
  const cpuInitial = initial();
  const reference = await cpuReference(config, cpuInitial, dataset, order, rows);
  tf.dispose(cpuInitial);

  await tf.setBackend('webgpu');
  const before = tf.memory().numTensors;
  const model = buildModel(config);
  const gpuInitial = initial();
  model.setWeights(gpuInitial);
  tf.dispose(gpuInitial);
  const layers = networkLayers(config);
  const plan = planStep({ layers, batch: config.batch, optimizer: config.optimizer, lr: config.lr, splitWidth: PACKED_SPLIT_WIDTH });
  const step = await compileTrainingStep(model, config, layers);
  // The split in file order, as toDevice keeps a full dataset.
  const split = toDevice(dataset, count, 3);
  const result: StepCheckCase = {
    name, query, optimizer: config.optimizer, dispatches: step.dispatchesPerStep, lossError: [], correctDifference: [], gradientError: null, weightError: 0,
    worstWeight: '', tensorsLeaked: 0,
  };
  try {
    step.useSplit(split);
    step.startEpoch(order);
    let previousLoss = 0;
    let previousCorrect = 0;
    for (let s = 0; s < 2; s++) {
      step.step(s * rows, rows);
      const [lossSum, correct] = await step.readSums();
      const loss = (lossSum - previousLoss) / rows;
      result.lossError.push(Math.abs(loss - reference.losses[s]) / Math.max(Math.abs(reference.losses[s]), 1e-6));
      result.correctDifference.push(correct - previousCorrect - reference.correct[s]);
      previousLoss = lossSum;
      previousCorrect = correct;
      const weights = await Promise.all(plan.weights.map((w) => weightVariable(model, w.layer, w.role).data() as Promise<Float32Array>));
      // The plan's weights are the model's trainable weights in order.
      weights.forEach((ours, i) => {
        const start = s === 0 ? initialValues[i] : reference.weights[0][i];
        const expected = reference.weights[s][i];
        const update = new Float32Array(expected.length).map((_, j) => expected[j] - start[j]);
        const error = maxAbsDiff(ours, expected) / Math.max(maxAbs(update), 1e-12);
        const label = `${plan.weights[i].layer} ${plan.weights[i].role} after step ${s + 1}`;
        if (error > result.weightError || result.worstWeight === '') {
          result.weightError = Math.max(result.weightError, error);
          result.worstWeight = label;
        }
        if (s === 0 && config.optimizer !== 'adam') {
          const gradient = new Float32Array(ours.length).map((_, j) => (start[j] - ours[j]) / config.lr);
          result.gradientError = Math.max(result.gradientError ?? 0, relError(gradient, reference.gradients[i]));
        }
      });
    }
  } finally {
    step.dispose();
    disposeSplit(split);
    model.dispose();
    result.tensorsLeaked = tf.memory().numTensors - before;
  }
  return result;
}

/** Every case; a case that throws is reported with its error. Leaves the webgpu backend active. */
export async function checkCompiledStep(cases = STEP_CHECK_CASES): Promise<StepCheckCase[]> {
  const results: StepCheckCase[] = [];
  for (const { name, query, rows } of cases) {
    try {
      results.push(await checkCase(name, query, rows));
    } catch (error) {
      results.push({
        name, query, optimizer: 'sgd', dispatches: 0, lossError: [], correctDifference: [], gradientError: null, weightError: Infinity, worstWeight: '',
        tensorsLeaked: 0, error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  await tf.setBackend('webgpu');
  return results;
}
