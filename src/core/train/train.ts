/**
 * The training loop: minibatch training with the book's metrics, on whatever
 * tfjs backend is active. Pure apart from tfjs: no DOM, no worker, no Node.
 *
 * Speed comes from never waiting on the device inside an epoch: the running
 * sums (loss, correct answers, non-finite steps) stay on the device and are
 * read back only a few times per epoch, and the dataset is uploaded once.
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/params';
import type { Dataset } from '../data/idx';
import { seededRandom, shuffledIndices } from '../data/shuffle';
import { NUM_CLASSES } from '../model/architecture';
import { buildOptimizer } from '../model/build';
import { accuracyOf, confusionMatrix } from '../inspect/confusion';
import { evaluateSplit, type Evaluation } from '../inspect/evaluate';
import type { CompiledStep } from './compiledStep';
import { disposeSplit, gatherImages, toDevice, type DeviceSplit } from './deviceSplit';
import type { EndEvent, TrainEvent } from './events';

export interface TrainOptions {
  model: tf.LayersModel;
  config: Config;
  train: Dataset;
  test: Dataset;
  onEvent: (event: TrainEvent) => void;
  signal?: AbortSignal;
  /** Resolves when the run may go on; called between steps. */
  waitWhilePaused?: () => Promise<void>;
  /** Read-backs (and chart points) per epoch; the book plots five. The run's first step adds one. */
  progressPointsPerEpoch?: number;
  /** Gets each epoch's test pass, per image, before the epoch event: the inspection views read it. */
  onEvaluation?: (evaluation: Evaluation) => void;
  /**
   * Runs each step instead of tfjs's kernels and optimizer (the compiled
   * WebGPU step); the caller built it for this model and config and frees it.
   */
  compiledStep?: CompiledStep;
  /** Told when each step's work on this thread starts and ends (the benchmark times it and counts GPU dispatches). */
  stepMeter?: StepMeter;
}

/**
 * Around the synchronous part of each step: on a GPU backend, encoding and
 * submitting it (the GPU runs later); on a CPU backend, the step itself.
 */
export interface StepMeter {
  stepStarts(): void;
  stepEnds(): void;
}

/** How long the loop may run before it lets messages (Stop, Pause, queries) in. */
const YIELD_INTERVAL_MS = 25;

/**
 * Frees everything an optimizer holds. tfjs 4.22's MomentumOptimizer.dispose()
 * does not call SGDOptimizer.dispose(), so the learning-rate scalar `c` it
 * inherits stays alive: one leaked tensor per momentum run. Free it here.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const learningRate = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (learningRate instanceof tf.Tensor && !learningRate.isDisposed) learningRate.dispose();
}

/** A macrotask yield without setTimeout's 4 ms clamp. */
function makeYielder(): { yieldNow: () => Promise<void>; close: () => void } {
  const channel = new MessageChannel();
  let resolve: (() => void) | null = null;
  channel.port1.onmessage = () => {
    const done = resolve;
    resolve = null;
    done?.();
  };
  return {
    yieldNow: () => new Promise<void>((r) => {
      resolve = r;
      channel.port2.postMessage(null);
    }),
    close: () => {
      channel.port1.close();
      channel.port2.close();
    },
  };
}

/**
 * One step with tfjs's kernels and optimizer on the rows order[start … start +
 * size − 1]; returns `sumsSoFar` with this batch's sums added.
 */
function tfjsStep(
  model: tf.LayersModel, optimizer: tf.Optimizer, split: DeviceSplit, order: tf.Tensor1D, start: number, size: number,
  sumsSoFar: tf.Tensor1D,
): tf.Tensor1D {
  return tf.tidy((): tf.Tensor1D => {
    const batchIndices = order.slice(start, size);
    const x = gatherImages(split, batchIndices);
    const labels = tf.gather(split.labels, batchIndices);
    const y = tf.oneHot(labels, NUM_CLASSES);
    let correct: tf.Scalar | null = null;
    const loss = optimizer.minimize(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor2D;
      correct = tf.keep(logits.argMax(-1).equal(labels).cast('float32').sum());
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, true)!;
    const notFinite = tf.logicalNot(tf.isFinite(loss)).cast('float32');
    const batchSums = tf.stack([loss.mul(size), correct!, notFinite]);
    // keep() shielded it from minimize's scope; this tidy must still free it.
    (correct as tf.Scalar | null)?.dispose();
    return sumsSoFar.add(batchSums);
  });
}

/**
 * Trains `model` in place and reports through onEvent. Resolves with the
 * final event (done, stopped, diverged or error); never rejects.
 */
export async function trainModel(options: TrainOptions): Promise<EndEvent> {
  const { model, config, onEvent, signal, compiledStep: compiled } = options;
  const pointsPerEpoch = Math.max(1, options.progressPointsPerEpoch ?? 5);
  const emit = <E extends TrainEvent>(event: E): E => {
    onEvent(event);
    return event;
  };

  let trainSplit: DeviceSplit | null = null;
  let testSplit: DeviceSplit | null = null;
  let sums: tf.Tensor1D | null = null;
  let order: tf.Tensor1D | null = null;
  const optimizer = buildOptimizer(config);
  const yielder = makeYielder();
  const startedAt = performance.now();
  const elapsed = () => (performance.now() - startedAt) / 1000;

  try {
    trainSplit = toDevice(options.train, config.train);
    testSplit = toDevice(options.test, config.test);
    compiled?.useSplit(trainSplit);
    const count = trainSplit.count;
    const stepsPerEpoch = Math.ceil(count / config.batch);
    const readEvery = Math.max(1, Math.ceil(stepsPerEpoch / pointsPerEpoch));
    const random = seededRandom(config.seed);
    let lastYield = performance.now();
    let trainImagesTotal = 0;
    let trainSecondsTotal = 0;
    let last = { trainLoss: NaN, trainAccuracy: NaN, testAccuracy: NaN };

    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const epochStart = performance.now();
      const shuffled = shuffledIndices(count, random);
      order?.dispose();
      order = null;
      // [loss × images, correct answers, steps whose loss was not finite]
      let epochSums: tf.Tensor1D | null = null;
      if (compiled) {
        compiled.startEpoch(shuffled);
      } else {
        order = tf.tensor1d(shuffled, 'int32');
        epochSums = tf.zeros([3]);
      }
      const epochOrder = order;
      sums = epochSums;
      let imagesDone = 0;
      let imagesAtLastRead = 0;
      let readAt = epochStart;
      let trainSeconds = 0;

      for (let step = 1; step <= stepsPerEpoch; step++) {
        if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
          await yielder.yieldNow();
          lastYield = performance.now();
        }
        if (options.waitWhilePaused) {
          const pauseStart = performance.now();
          await options.waitWhilePaused();
          const paused = performance.now() - pauseStart;
          readAt += paused;
        }
        if (signal?.aborted) {
          return emit({ type: 'stopped', epoch, step: step - 1, elapsedSeconds: elapsed() });
        }

        const start = (step - 1) * config.batch;
        const size = Math.min(config.batch, count - start);
        const split = trainSplit;
        options.stepMeter?.stepStarts();
        if (compiled) compiled.step(start, size);
        else {
          const previous = epochSums!;
          epochSums = tfjsStep(model, optimizer, split, epochOrder!, start, size, previous);
          sums = epochSums;
          previous.dispose();
        }
        options.stepMeter?.stepEnds();
        imagesDone += size;

        // The run's first step is read back too, so the learner sees the
        // starting loss at once instead of after a fifth of an epoch.
        const firstStepOfRun = epoch === 1 && step === 1;
        if (step % readEvery === 0 || step === stepsPerEpoch || firstStepOfRun) {
          const [lossSum, correctSum, badSteps] = compiled ? await compiled.readSums() : await epochSums!.data();
          const now = performance.now();
          trainSeconds += (now - readAt) / 1000;
          const stepsTrained = step;
          if (badSteps > 0 || !Number.isFinite(lossSum)) {
            // Once the weights hold NaN every later step does too, so the first
            // bad step is the one before that run of bad steps.
            const firstBad = stepsTrained - badSteps + 1;
            return emit({
              type: 'diverged', epoch, step: firstBad,
              message: `The loss became ${Number.isNaN(lossSum) ? 'NaN' : 'infinite'} at epoch ${epoch}, step ${firstBad}. ` +
                `Try a smaller learning rate than ${config.lr}.`,
            });
          }
          emit({
            type: 'progress', epoch, step, stepsPerEpoch,
            epochFraction: epoch - 1 + step / stepsPerEpoch,
            trainLoss: lossSum / imagesDone,
            trainAccuracy: correctSum / imagesDone,
            imagesPerSecond: (imagesDone - imagesAtLastRead) / ((now - readAt) / 1000 || 1e-9),
            elapsedSeconds: elapsed(),
          });
          last = { ...last, trainLoss: lossSum / imagesDone, trainAccuracy: correctSum / imagesDone };
          imagesAtLastRead = imagesDone;
          readAt = performance.now();
        }
      }
      epochSums?.dispose();
      sums = null;

      const evaluation = await evaluateSplit(model, testSplit);
      const confusion = confusionMatrix(evaluation.labels, evaluation.predicted);
      // From the matrix itself, so its diagonal over its total is exactly the accuracy shown.
      const testAccuracy = accuracyOf(confusion);
      options.onEvaluation?.(evaluation);
      last = { ...last, testAccuracy };
      trainImagesTotal += count;
      trainSecondsTotal += trainSeconds;
      emit({
        type: 'epoch', epoch, epochs: config.epochs,
        trainLoss: last.trainLoss, trainAccuracy: last.trainAccuracy, testAccuracy, confusion,
        seconds: (performance.now() - epochStart) / 1000,
        imagesPerSecond: count / trainSeconds,
        elapsedSeconds: elapsed(),
      });
    }
    return emit({
      type: 'done', epochs: config.epochs, ...last,
      elapsedSeconds: elapsed(), imagesPerSecond: trainImagesTotal / trainSecondsTotal,
    });
  } catch (error) {
    return emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    yielder.close();
    sums?.dispose();
    order?.dispose();
    if (trainSplit) disposeSplit(trainSplit);
    if (testSplit) disposeSplit(testSplit);
    disposeOptimizer(optimizer);
  }
}
