/**
 * The measurement itself: our training loop (core/train) against a plain
 * `model.fit` loop as the tfjs tutorials write it, same model, same images,
 * same backend, same process; or only one of them (`methods`). No DOM, no
 * worker globals: the bench worker and the Node runner both call it after
 * starting a backend.
 */
import * as tf from '@tensorflow/tfjs';
import { presetConfig, type BackendName, type Config } from '../core/config/params';
import type { Dataset } from '../core/data/idx';
import { NUM_CLASSES } from '../core/model/architecture';
import { buildModel } from '../core/model/build';
import type { EpochEvent } from '../core/train/events';
import { disposeSplit, sliceImages, toDevice } from '../core/train/deviceSplit';
import type { CompiledStep } from '../core/train/compiledStep';
import { trainModel, type StepMeter } from '../core/train/train';
import { chooseTrainingStep } from '../kernels/webgpu/compiled';
import type { BenchMethod, MeasureResult, MeasureSettings, MethodFigures, TfjsFlags } from './protocol';
import { median } from './stats';

/** Test images for our loop's end-of-epoch pass; it is outside every speed figure. */
const TEST_IMAGES = 256;
const HEAP_SAMPLE_MS = 50;

/**
 * Sets tfjs environment flags on the running backend (the bench's --flags) and
 * returns how to mention them in a note; '' when there are none. tf.env()
 * throws for a name no loaded backend registered.
 */
export function setTfjsFlags(flags: TfjsFlags | undefined): string {
  const entries = Object.entries(flags ?? {});
  for (const [name, value] of entries) tf.env().set(name, value);
  return entries.length ? `tfjs flags ${entries.map(([name, value]) => `${name}=${value}`).join(', ')}` : '';
}

export interface MeasureInput extends MeasureSettings {
  backend: BackendName;
  /** Which loops to time (default both, ours first); a result has figures for these only. */
  methods?: readonly BenchMethod[];
  /** model.fit's network from tfjs-layers' own layers only, as a tutorial writes it (the as-shipped baseline). */
  tutorialModel?: boolean;
  train: Dataset;
  test: Dataset;
  /** Bytes of JS heap in use now, or null where the runtime does not say. */
  heapUsed?: () => number | null;
  log?: (line: string) => void;
}

interface Run {
  imagesPerSecond: number;
  wallSeconds: number;
  trainLoss: number;
  trainAccuracy: number;
  leaked: number;
  cpuMsPerStep: number | null;
  dispatchesPerStep: number | null;
}

let dispatches: { count: number } | null = null;

/**
 * Counts every compute dispatch in this thread from now on, by wrapping
 * GPUComputePassEncoder.prototype.dispatchWorkgroups (tfjs and the compiled
 * step both dispatch through it); null where there is no WebGPU.
 */
function dispatchCounter(): { count: number } | null {
  if (dispatches) return dispatches;
  const encoder = (globalThis as { GPUComputePassEncoder?: { prototype: GPUComputePassEncoder } }).GPUComputePassEncoder;
  if (!encoder) return null;
  const counter = { count: 0 };
  const dispatch = encoder.prototype.dispatchWorkgroups;
  encoder.prototype.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<GPUComputePassEncoder['dispatchWorkgroups']>) {
    counter.count++;
    return dispatch.apply(this, args);
  };
  dispatches = counter;
  return counter;
}

/** A StepMeter that sums the time and the dispatches inside the steps. */
function stepMeter(counter: { count: number } | null): StepMeter & { perStep(): { cpuMs: number; dispatches: number | null } } {
  let steps = 0;
  let ms = 0;
  let dispatched = 0;
  let startedAt = 0;
  let countAtStart = 0;
  return {
    stepStarts: () => {
      startedAt = performance.now();
      countAtStart = counter?.count ?? 0;
    },
    stepEnds: () => {
      ms += performance.now() - startedAt;
      dispatched += (counter?.count ?? 0) - countAtStart;
      steps++;
    },
    perStep: () => ({ cpuMs: ms / Math.max(steps, 1), dispatches: counter ? dispatched / Math.max(steps, 1) : null }),
  };
}

function figures(runs: Run[], images: number, steps: number): MethodFigures {
  // Every method runs at least one round, so there is always a median.
  const speed = median(runs.map((r) => r.imagesPerSecond))!;
  return {
    imagesPerSecond: speed,
    // From the median speed, so the two figures always agree.
    msPerStep: (1000 * images) / speed / steps,
    roundsImagesPerSecond: runs.map((r) => r.imagesPerSecond),
    wallSeconds: median(runs.map((r) => r.wallSeconds))!,
    trainLoss: runs[runs.length - 1].trainLoss,
    trainAccuracy: runs[runs.length - 1].trainAccuracy,
    tensorsLeakedPerRun: Math.max(...runs.map((r) => r.leaked)),
    cpuMsPerStep: median(runs.flatMap((r) => (r.cpuMsPerStep === null ? [] : [r.cpuMsPerStep]))),
    dispatchesPerStep: median(runs.flatMap((r) => (r.dispatchesPerStep === null ? [] : [r.dispatchesPerStep]))),
  };
}

/**
 * The app's loop: trainModel() with the d2l preset, one epoch over `images`
 * images; with `compiledStep` (built for `model`) on WebGPU.
 */
async function runOurs(
  model: tf.LayersModel, config: Config, input: MeasureInput, images: number, sample: () => void, compiledStep: CompiledStep | null,
): Promise<Run> {
  let epoch: EpochEvent | null = null;
  const before = tf.memory().numTensors;
  // Chromium has WebGPU's interfaces whatever the backend: count only where the backend dispatches.
  const meter = stepMeter(input.backend === 'webgpu' ? dispatchCounter() : null);
  const start = performance.now();
  const end = await trainModel({
    model, config: { ...config, train: images }, train: input.train, test: input.test, stepMeter: meter,
    compiledStep: compiledStep ?? undefined,
    onEvent: (event) => {
      sample();
      if (event.type === 'epoch') epoch = event;
    },
  });
  const wallSeconds = (performance.now() - start) / 1000;
  const last = epoch as EpochEvent | null;
  if (end.type !== 'done' || !last) {
    throw new Error(`our training loop ended with '${end.type}'${'message' in end ? `: ${end.message}` : ''}`);
  }
  return {
    imagesPerSecond: last.imagesPerSecond,
    wallSeconds,
    trainLoss: last.trainLoss,
    trainAccuracy: last.trainAccuracy,
    leaked: tf.memory().numTensors - before,
    cpuMsPerStep: meter.perStep().cpuMs,
    dispatchesPerStep: meter.perStep().dispatches,
  };
}

/**
 * The tutorials' way: the same LeNet with a softmax output, compiled with SGD,
 * categorical cross-entropy and an accuracy metric, trained by model.fit with
 * batchSize, epochs 1 and onBatchEnd / onEpochEnd callbacks.
 */
function buildFitModel(config: Config, tutorialModel: boolean): { model: tf.Sequential; optimizer: tf.Optimizer } {
  const model = tf.sequential({ name: 'lenet_fit' });
  model.add(buildModel(config, undefined, { tfjsLayersOnly: tutorialModel }));
  model.add(tf.layers.activation({ activation: 'softmax', name: 'softmax' }));
  const optimizer = tf.train.sgd(config.lr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return { model, optimizer };
}

async function runFit(model: tf.Sequential, xs: tf.Tensor, ys: tf.Tensor, batch: number, sample: () => void): Promise<Run> {
  const images = xs.shape[0];
  const before = tf.memory().numTensors;
  let epochStart = NaN;
  let epochEnd = NaN;
  let batchLoss = NaN;
  let logs: tf.Logs | undefined;
  const start = performance.now();
  await model.fit(xs, ys, {
    batchSize: batch,
    epochs: 1,
    shuffle: true,
    callbacks: {
      onEpochBegin: async () => {
        epochStart = performance.now();
      },
      onBatchEnd: async (_batch, batchLogs) => {
        // What tutorials do here: show the batch's loss (tfjs reads it back for us).
        batchLoss = batchLogs?.loss ?? NaN;
        sample();
      },
      onEpochEnd: async (_epoch, epochLogs) => {
        epochEnd = performance.now();
        logs = epochLogs;
      },
    },
  });
  const wallSeconds = (performance.now() - start) / 1000;
  const seconds = (epochEnd - epochStart) / 1000;
  if (!Number.isFinite(seconds) || !Number.isFinite(batchLoss)) throw new Error('model.fit did not report an epoch');
  return {
    imagesPerSecond: images / seconds,
    wallSeconds,
    trainLoss: logs?.loss ?? NaN,
    trainAccuracy: logs?.acc ?? logs?.accuracy ?? NaN,
    leaked: tf.memory().numTensors - before,
    cpuMsPerStep: null,
    dispatchesPerStep: null,
  };
}

/** The methods to time, each once, in the given order; throws on none or an unknown one. */
export function normalizeMethods(methods: readonly BenchMethod[] = ['ours', 'fit']): BenchMethod[] {
  const unique = [...new Set(methods)];
  if (unique.length === 0) throw new Error('measureTraining: no methods to measure');
  for (const method of unique) {
    if (method !== 'ours' && method !== 'tfjs-kernels' && method !== 'fit') throw new Error(`measureTraining: unknown method '${String(method)}'`);
  }
  return unique;
}

/** Which method goes first in `round` (0-based): the given order on even rounds, reversed on odd ones. */
export function roundOrder(methods: readonly BenchMethod[], round: number): BenchMethod[] {
  return round % 2 === 0 ? [...methods] : [...methods].reverse();
}

/**
 * Warm-up, then `rounds` timed runs of each method, alternating which goes
 * first. Counts tensors before building anything and after disposing it all.
 */
export async function measureTraining(input: MeasureInput): Promise<MeasureResult> {
  const { images, batch, warmup, rounds } = input;
  const methods = normalizeMethods(input.methods);
  const log = input.log ?? (() => {});
  const config: Config = { ...presetConfig('d2l'), batch, epochs: 1, test: TEST_IMAGES, backend: input.backend };
  const trainImages = Math.min(images, input.train.count);
  const steps = Math.ceil(trainImages / batch);

  let peakHeap: number | null = null;
  let heapSamples = 0;
  const sample = () => {
    const used = input.heapUsed?.() ?? null;
    if (used === null || !Number.isFinite(used)) return;
    heapSamples++;
    peakHeap = Math.max(peakHeap ?? 0, used);
  };
  sample();
  const sampler = setInterval(sample, HEAP_SAMPLE_MS);

  const tensorsBefore = tf.memory().numTensors;
  const ours = methods.includes('ours') ? buildModel(config) : null;
  const tfjsKernels = methods.includes('tfjs-kernels') ? buildModel(config) : null;
  const fit = methods.includes('fit') ? buildFitModel(config, input.tutorialModel ?? false) : null;
  // The same images as our loop; model.fit gets them as one float tensor, as in the tutorials.
  const split = fit ? toDevice(input.train, images) : null;
  const xs = split ? sliceImages(split, 0, split.count) : null;
  const ys = split ? tf.tidy(() => tf.oneHot(split.labels, NUM_CLASSES).toFloat()) : null;
  // On WebGPU ours trains with the compiled step, as the app does.
  const stepChoice = ours ? await chooseTrainingStep({ backend: input.backend, compiledStep: true }, ours, config) : null;
  const compiled = stepChoice?.step ?? null;
  if (stepChoice?.note) log(`ours: ${stepChoice.note}`);
  const LABEL: Record<BenchMethod, string> = { ours: 'ours', 'tfjs-kernels': 'ours on tfjs kernels', fit: 'model.fit' };
  /** One run of `method` over the first `count` images. */
  const runMethod = async (method: BenchMethod, count: number): Promise<Run | null> => {
    if (method === 'ours' && ours) return runOurs(ours, config, input, count, sample, compiled);
    if (method === 'tfjs-kernels' && tfjsKernels) return runOurs(tfjsKernels, config, input, count, sample, null);
    if (method !== 'fit' || !fit || !xs || !ys) return null;
    if (count >= xs.shape[0]) return runFit(fit.model, xs, ys, batch, sample);
    const [wx, wy] = [xs.slice(0, count), ys.slice(0, count)];
    try {
      return await runFit(fit.model, wx, wy, batch, sample);
    } finally {
      wx.dispose();
      wy.dispose();
    }
  };
  const timed = async (): Promise<Omit<MeasureResult, 'tensorsAfter'>> => {
    if (warmup > 0) {
      for (const method of methods) {
        log(`warm-up: ${LABEL[method]}, ${warmup} images`);
        await runMethod(method, warmup);
      }
    }
    const runs: Record<BenchMethod, Run[]> = { ours: [], 'tfjs-kernels': [], fit: [] };
    for (let round = 0; round < rounds; round++) {
      for (const method of roundOrder(methods, round)) {
        const run = await runMethod(method, images);
        if (!run) continue;
        runs[method].push(run);
        log(`round ${round + 1}/${rounds}: ${LABEL[method]} ${run.imagesPerSecond.toFixed(1)} images/s`);
      }
    }
    sample();
    const of = (method: BenchMethod) => (runs[method].length ? figures(runs[method], trainImages, steps) : undefined);
    const [oursFigures, tfjsFigures, fitFigures] = [of('ours'), of('tfjs-kernels'), of('fit')];
    return {
      ...(oursFigures ? { ours: oursFigures } : {}),
      ...(tfjsFigures ? { tfjsKernels: tfjsFigures } : {}),
      ...(fitFigures ? { fit: fitFigures } : {}),
      ...(oursFigures && fitFigures ? { oursOverFit: oursFigures.imagesPerSecond / fitFigures.imagesPerSecond } : {}),
      ...(stepChoice?.note ? { stepNote: stepChoice.note } : {}),
      steps,
      tensorsBefore,
      peakHeapBytes: peakHeap,
      heapSamples,
    };
  };
  let result: Omit<MeasureResult, 'tensorsAfter'>;
  try {
    result = await timed();
  } finally {
    clearInterval(sampler);
    compiled?.dispose();
    ours?.dispose();
    tfjsKernels?.dispose();
    fit?.model.dispose();
    fit?.optimizer.dispose();
    xs?.dispose();
    ys?.dispose();
    if (split) disposeSplit(split);
  }
  return { ...result, tensorsAfter: tf.memory().numTensors };
}
