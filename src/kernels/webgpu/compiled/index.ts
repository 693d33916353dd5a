/**
 * Whether a run trains with the compiled WebGPU step or tfjs's kernels, and
 * the words that say so in the status details. One place for the app's
 * worker, the CLI trainer and the benchmark.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Config } from '../../../core/config/params';
import type { CompiledStep } from '../../../core/train/compiledStep';
import { compileTrainingStep } from './compiledStep';

export interface TrainingStepChoice {
  /** The compiled step, or null where tfjs's kernels train. */
  step: CompiledStep | null;
  /** For the status details: "compiled training step, 18 GPU programs per step" or "tfjs kernels: <reason>"; null off WebGPU. */
  note: string | null;
}

/**
 * The compiled step for `model` (built from `config`) where the backend was
 * prepared for it (prepareBackend's compiledStep: WebGPU, our kernels, and
 * config.kernels=compiled); otherwise, or when it cannot be built (a shader
 * the device rejects, memory, a device limit), tfjs's kernels, with the
 * reason. Never throws.
 */
export async function chooseTrainingStep(
  prepared: { backend: string; compiledStep: boolean }, model: tf.LayersModel, config: Config,
): Promise<TrainingStepChoice> {
  if (prepared.backend !== 'webgpu') return { step: null, note: null };
  if (!prepared.compiledStep) return { step: null, note: 'tfjs kernels: the compiled step is turned off (kernels=tfjs)' };
  try {
    const step = await compileTrainingStep(model, config);
    return { step, note: `compiled training step, ${step.dispatchesPerStep} GPU programs per step` };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { step: null, note: `tfjs kernels: ${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}` };
  }
}
