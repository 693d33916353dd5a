/**
 * Profiles one LeNet training step on the tfjs WebAssembly backend under Node,
 * with and without the training kernels of src/kernels/wasm.
 *
 *   npx tsx scripts/profile-wasm.ts [--batch 256] [--steps 10] [--rounds 1] [--profiled 3]
 *
 * Per-kernel times are the least over --profiled (3) profiled steps per round;
 * step times are wall and process CPU time over --steps steps, best round by
 * CPU time (the machine may be shared: CPU time is the steadier number).
 *
 * Variants, all in the same process on the same model and data (with
 * --rounds > 1 the variants are interleaved and the best round is shown):
 *   baseline  Conv2DBackpropFilter as Conv3DBackpropFilterV2 on a depth-1 view
 *             (the backend has none of its own; src/kernels/wasm/stockKernels.ts);
 *             all other kernels the backend's
 *   im2col    Conv2DBackpropFilter by im2col + XNNPACK matmul; others the backend's
 *   conv      Conv2DBackpropFilter as an XNNPACK convolution; others the backend's
 *   simd      Conv2DBackpropFilter by our WebAssembly SIMD kernel; others the backend's
 *   all       registerWasmTrainingKernels(): every kernel of src/kernels/wasm
 *   all-xnnpack the same with the XNNPACK filter gradient (conv, else im2col)
 *   all-im2col  the same with the im2col filter gradient
 */
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { registerStockConv2DBackpropFilter, unregisterStockConv2DBackpropFilter } from '../src/kernels/wasm/stockKernels';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
} from '../src/kernels/wasm/trainingKernels';
import { startNodeBackend } from './lib/node';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

const BATCH = arg('batch', 256);
const STEPS = arg('steps', 10);
const ROUNDS = arg('rounds', 1);
const PROFILED = arg('profiled', 3);

const VARIANTS = ['baseline', 'im2col', 'conv', 'simd', 'all', 'all-xnnpack', 'all-im2col'] as const;
type Variant = (typeof VARIANTS)[number];

function selectVariant(v: Variant): void {
  unregisterWasmTrainingKernels();
  // The baseline's kernel, if an earlier variant registered it.
  unregisterStockConv2DBackpropFilter();
  const backendOnly = { backpropInput: false, batchMatMul: false, avgPoolGrad: false };
  switch (v) {
    case 'baseline':
      registerStockConv2DBackpropFilter();
      break;
    case 'im2col':
      registerWasmTrainingKernels({ ...backendOnly, backpropFilter: 'im2col' });
      break;
    case 'conv':
      registerWasmTrainingKernels({ ...backendOnly, backpropFilter: 'conv' });
      break;
    case 'simd':
      registerWasmTrainingKernels({ ...backendOnly, backpropFilter: 'simd' });
      break;
    case 'all':
      registerWasmTrainingKernels();
      break;
    case 'all-xnnpack':
      registerWasmTrainingKernels({ backpropFilter: 'xnnpack' });
      break;
    case 'all-im2col':
      registerWasmTrainingKernels({ backpropFilter: 'im2col' });
      break;
  }
}

// ---------------------------------------------------------------------------
// d2l LeNet

function lenet(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'sigmoid', kernelInitializer: init(1) }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, padding: 'valid', activation: 'sigmoid', kernelInitializer: init(2) }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'sigmoid', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 84, activation: 'sigmoid', kernelInitializer: init(4) }),
      tf.layers.dense({ units: 10, kernelInitializer: init(5) }),
    ],
  });
}

interface Result {
  variant: Variant;
  stepMs: number;
  /** CPU time of this process per step: less disturbed by other load than wall time. */
  cpuMs: number;
  imagesPerSecond: number;
  profileMs: number;
  kernels: Map<string, { ms: number; calls: number }>;
  grads: Float32Array[];
}

async function measure(variant: Variant, x: tf.Tensor4D, y: tf.Tensor2D): Promise<Result> {
  selectVariant(variant);
  const model = lenet();
  const opt = tf.train.sgd(0.9);
  const lossFn = () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar;
  const step = () => {
    const loss = opt.minimize(lossFn, true);
    loss?.dataSync();
    loss?.dispose();
  };

  // Gradients of the fresh model, to check the variants agree.
  const grads = tf.tidy(() => {
    const { grads: g } = tf.variableGrads(lossFn);
    return model.trainableWeights.map((w) => g[w.originalName].dataSync() as Float32Array);
  });

  step();
  step(); // warm-up: operator creation, heap growth
  // Per kernel, the least time over a few profiled steps (the machine may be shared).
  const kernels = new Map<string, { ms: number; calls: number }>();
  for (let p = 0; p < PROFILED; p++) {
    const info = await tf.profile(step);
    const once = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const e = once.get(k.name) ?? { ms: 0, calls: 0 };
      e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      e.calls += 1;
      once.set(k.name, e);
    }
    for (const [name, e] of once) {
      const prev = kernels.get(name);
      if (prev === undefined || e.ms < prev.ms) kernels.set(name, e);
    }
  }
  const profileMs = sumKernels(kernels);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  const stepMs = (performance.now() - t0) / STEPS;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / STEPS;

  model.dispose();
  opt.dispose();
  return { variant, stepMs, cpuMs, imagesPerSecond: (1000 * BATCH) / stepMs, profileMs, kernels, grads };
}

/**
 * Sum over kernels, leaving out the `…__op` entries: those are ops run through
 * a custom gradient (fused conv / matmul) and contain the kernel listed
 * beside them.
 */
function sumKernels(kernels: Map<string, { ms: number }>): number {
  let ms = 0;
  for (const [name, e] of kernels) if (!name.endsWith('__op')) ms += e.ms;
  return ms;
}

function maxRelDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((ai, i) => {
    const bi = b[i];
    let scale = 1e-12;
    for (const v of bi) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < ai.length; j++) worst = Math.max(worst, Math.abs(ai[j] - bi[j]) / scale);
  });
  return worst;
}

async function main(): Promise<void> {
  // Each variant then registers its own kernels (selectVariant).
  await startNodeBackend('wasm', { kernels: 'as-shipped' });
  const env = tf.env();
  console.log(
    `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, ` +
      `SIMD ${env.getBool('WASM_HAS_SIMD_SUPPORT')}, ` +
      `multithread support ${env.getBool('WASM_HAS_MULTITHREAD_SUPPORT')}, ` +
      `threads ${tfwasm.getThreadsCount()}, batch ${BATCH}, ${STEPS} timed steps x ${ROUNDS} round(s), node ${process.version}`,
  );

  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 42) as tf.Tensor4D;
  const labels = tf.randomUniform([BATCH], 0, 10, 'float32', 43).floor().cast('int32') as tf.Tensor1D;
  const y = tf.oneHot(labels, 10).toFloat() as tf.Tensor2D;
  labels.dispose();

  const variants = [...VARIANTS];
  const best = new Map<Variant, Result>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const before = tf.memory().numTensors;
      const r = await measure(v, x, y);
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0) console.warn(`${v}: ${leaked} tensors left over`);
      const prev = best.get(v);
      if (prev !== undefined) {
        // Per kernel, the least time over all rounds.
        for (const [name, e] of prev.kernels) {
          const k = r.kernels.get(name);
          if (k === undefined || e.ms < k.ms) r.kernels.set(name, e);
        }
        r.profileMs = sumKernels(r.kernels);
        if (r.cpuMs > prev.cpuMs) {
          r.cpuMs = prev.cpuMs;
          r.stepMs = prev.stepMs;
          r.imagesPerSecond = prev.imagesPerSecond;
        }
      }
      best.set(v, r);
    }
  }
  const results = variants.map((v) => best.get(v) as Result);
  registerWasmTrainingKernels();

  const names = [...new Set(results.flatMap((r) => [...r.kernels.keys()]))].sort(
    (a, b) => (results[0].kernels.get(b)?.ms ?? 0) - (results[0].kernels.get(a)?.ms ?? 0),
  );
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(`\nms per kernel in one step, least over ${PROFILED * ROUNDS} profiled steps (calls):`);
  console.log(`${'kernel'.padEnd(26)}${variants.map((v) => pad(v, 14)).join('')}`);
  for (const name of names) {
    const cells = results.map((r) => {
      const k = r.kernels.get(name);
      return pad(k === undefined ? '-' : `${k.ms.toFixed(1)} (${k.calls})`, 14);
    });
    console.log(`${name.padEnd(26)}${cells.join('')}`);
  }
  console.log(`${'sum (without __op)'.padEnd(26)}${results.map((r) => pad(r.profileMs.toFixed(1), 14)).join('')}`);
  console.log(`\nper step over ${STEPS} steps, batch ${BATCH} (best of ${ROUNDS} round(s) by CPU time):`);
  for (const r of results) {
    console.log(
      `  ${r.variant.padEnd(11)} wall ${r.stepMs.toFixed(1).padStart(6)} ms (${r.imagesPerSecond.toFixed(0).padStart(5)} images/s)` +
        `  cpu ${r.cpuMs.toFixed(1).padStart(6)} ms (${((1000 * BATCH) / r.cpuMs).toFixed(0).padStart(5)} images/s)` +
        `  ${(results[0].cpuMs / r.cpuMs).toFixed(2)}x baseline` +
        `  max rel. gradient diff vs baseline ${maxRelDiff(r.grads, results[0].grads).toExponential(1)}`,
    );
  }
  x.dispose();
  y.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
