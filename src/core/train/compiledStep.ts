/**
 * A training step that runs outside tfjs's kernels: the compiled WebGPU step
 * (src/kernels/webgpu/compiled). The loop hands it the run's split and each
 * epoch's order and asks it for the epoch's sums; the model's weights are
 * updated in place, so everything else (evaluation, inspection, export) reads
 * the same model as after a tfjs step.
 */
import type { DeviceSplit } from './deviceSplit';

export interface CompiledStep {
  /** Binds the run's training split; once, before the first epoch. */
  useSplit(split: DeviceSplit): void;
  /** Uploads the epoch's shuffled order (indices into the split) and zeroes the epoch's sums. */
  startEpoch(order: Int32Array): void;
  /** Encodes and submits one step on the rows order[start … start + size − 1]; does not wait for the device. */
  step(start: number, size: number): void;
  /** The epoch's sums so far: [loss × images, correct answers, steps whose loss was not finite]. */
  readSums(): Promise<[number, number, number]>;
  /** GPU dispatches one step makes. */
  readonly dispatchesPerStep: number;
  /** Frees what the step made; the model and the split stay. */
  dispose(): void;
}
