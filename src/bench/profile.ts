/**
 * Where a training step's time goes, kernel by kernel: the app's loop
 * (trainModel, d2l preset) under tf.profile on the running backend, after an
 * unprofiled warm-up. On WebAssembly the kernel times are wall times around
 * each kernel on the training thread (tfjs-backend-wasm's timer), so a kernel
 * that runs on one thread while the others idle shows at full length. The
 * bench worker runs it in the browser (`npm run bench -- --profile`), with
 * the app's threads.
 */
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../core/config/arch';
import { presetConfig, type BackendName } from '../core/config/params';
import type { Dataset } from '../core/data/idx';
import { buildModel } from '../core/model/build';
import { trainModel } from '../core/train/train';
import { registerWasmTrainingKernels, type WasmTrainingKernelOptions } from '../kernels/wasm/trainingKernels';

/** The on/off switches of our wasm training kernels. */
export type WasmKernelSwitch = {
  [K in keyof WasmTrainingKernelOptions]-?: WasmTrainingKernelOptions[K] extends boolean | undefined ? K : never;
}[keyof WasmTrainingKernelOptions];

export interface KernelComparison {
  rounds: number;
  /** Median ms per step with all our kernels. */
  allMs: number;
  /** Median ms per step with one switch off, and that over allMs. */
  off: { kernel: WasmKernelSwitch; ms: number; ratio: number }[];
}

export interface KernelProfileRow {
  kernel: string;
  callsPerStep: number;
  msPerStep: number;
  /** msPerStep over the sum of all kernels' msPerStep. */
  share: number;
}

export interface ProfileResult {
  batch: number;
  steps: number;
  /** Wall time per step of the same loop unprofiled, and profiled (profiling adds a little per kernel). */
  stepMs: number;
  profiledStepMs: number;
  /** The kernels' own times added up, per step. */
  kernelMsPerStep: number;
  /** Slowest first. */
  rows: KernelProfileRow[];
}

export interface ProfileInput {
  backend: BackendName;
  /** The d2l preset's layers unless given. */
  arch?: Architecture;
  batch: number;
  /** Profiled steps (after as many unprofiled ones, timed for stepMs, and one warm-up epoch of two steps). */
  steps: number;
  train: Dataset;
  test: Dataset;
}

/** Throws if the loop does not finish: a profile of a failed run means nothing. */
async function run(model: tf.LayersModel, input: ProfileInput, steps: number): Promise<number> {
  const config = { ...networkConfig(input), epochs: 1, train: input.batch * steps, test: 1, backend: input.backend };
  const start = performance.now();
  const end = await trainModel({ model, config, train: input.train, test: input.test, onEvent: () => {} });
  if (end.type !== 'done') throw new Error(`the training loop ended with '${end.type}'${'message' in end ? `: ${end.message}` : ''}`);
  return (performance.now() - start) / steps;
}

function networkConfig(input: ProfileInput) {
  const preset = presetConfig('d2l');
  return { ...preset, arch: input.arch ?? preset.arch, batch: input.batch };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * wasm: the loop's step time with all our kernels against each switch off,
 * in `rounds` rounds that alternate them, so a noisy machine slows all alike.
 */
export async function compareWasmKernels(input: ProfileInput, switches: WasmKernelSwitch[], rounds = 7): Promise<KernelComparison> {
  const model = buildModel(networkConfig(input));
  const variants: (WasmKernelSwitch | 'all')[] = ['all', ...switches];
  const times = new Map(variants.map((v) => [v, [] as number[]]));
  try {
    await run(model, input, 2);
    for (let round = 0; round < rounds; round++) {
      for (const variant of round % 2 ? [...variants].reverse() : variants) {
        registerWasmTrainingKernels(variant === 'all' ? {} : { [variant]: false });
        await run(model, input, 1);
        times.get(variant)!.push(await run(model, input, input.steps));
      }
    }
  } finally {
    registerWasmTrainingKernels();
    model.dispose();
  }
  const allMs = median(times.get('all')!);
  return {
    rounds,
    allMs,
    off: switches.map((kernel) => {
      const ms = median(times.get(kernel)!);
      return { kernel, ms, ratio: ms / allMs };
    }),
  };
}

export async function profileTraining(input: ProfileInput): Promise<ProfileResult> {
  const model = buildModel(networkConfig(input));
  try {
    await run(model, input, 2);
    const stepMs = await run(model, input, input.steps);
    let profiledStepMs = 0;
    const info = await tf.profile(async () => {
      profiledStepMs = await run(model, input, input.steps);
    });
    const totals = new Map<string, { calls: number; ms: number }>();
    for (const kernel of info.kernels) {
      const time = await kernel.kernelTimeMs;
      const ms = typeof time === 'number' ? time : 0;
      // By input shapes too: the same kernel on conv1 and conv2 costs very differently.
      const key = `${kernel.name} ${kernel.inputShapes.map((shape) => `[${shape?.join(",") ?? ""}]`).join(' ')}`;
      const total = totals.get(key) ?? { calls: 0, ms: 0 };
      total.calls++;
      total.ms += ms;
      totals.set(key, total);
    }
    const kernelMs = [...totals.values()].reduce((sum, t) => sum + t.ms, 0);
    const rows = [...totals.entries()]
      .map(([kernel, t]) => ({ kernel, callsPerStep: t.calls / input.steps, msPerStep: t.ms / input.steps, share: t.ms / (kernelMs || 1) }))
      .sort((a, b) => b.msPerStep - a.msPerStep);
    return { batch: input.batch, steps: input.steps, stepMs, profiledStepMs, kernelMsPerStep: kernelMs / input.steps, rows };
  } finally {
    model.dispose();
  }
}
