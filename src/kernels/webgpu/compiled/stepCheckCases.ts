/**
 * The compiled step's check (stepCheck.ts) as plain data: its cases, what it
 * reports, and how close the step must come to tfjs's cpu backend; shared by
 * the Node check and the e2e test, which cannot load tfjs itself.
 */

/** The cases: every preset and the geometries the editor allows beyond them. */
export const STEP_CHECK_CASES: { name: string; query: string; rows: number }[] = [
  { name: 'd2l preset (sigmoid, avg pool, SGD)', query: 'preset=d2l&batch=16', rows: 16 },
  { name: 'djl preset (5×5 pools stride 2 padding 2, first conv without bias)', query: 'preset=djl&batch=16', rows: 13 },
  { name: 'modern preset (ReLU, max pool, Adam)', query: 'preset=modern&batch=16', rows: 16 },
  { name: 'modern preset with SGD (ReLU and max pool gradients)', query: 'preset=modern&optimizer=sgd&lr=0.1&batch=16', rows: 11 },
  { name: 'kernels 3 and 7, tanh, momentum', query: 'preset=d2l&arch=c8k3p1-pool2-c16k7p3-pool2-d120-d84&activation=tanh&optimizer=momentum&lr=0.1&batch=12', rows: 12 },
  { name: 'stride 2, no pools, ReLU, SGD', query: 'preset=d2l&arch=c8k5p2s2-c16k3s2-d64&activation=relu&lr=0.1&batch=8', rows: 7 },
  { name: 'three conv blocks, one dense layer, max pool, momentum', query: 'preset=d2l&arch=c6k3p1-pool2-c12k3p1-pool2-c16k3p1-pool2-d32&pool=max&activation=relu&optimizer=momentum&lr=0.05&batch=8', rows: 8 },
  { name: 'three dense layers, overlapping max pools, Adam', query: 'preset=d2l&arch=c6k5p2-pool3s2p1-c16k5-pool2-d120-d84-d42&pool=max&optimizer=adam&lr=0.01&batch=8', rows: 8 },
  { name: 'no hidden dense layer, 32 channels, sigmoid, SGD', query: 'preset=d2l&arch=c32k3p1-pool2&batch=8', rows: 8 },
];

export interface StepCheckCase {
  name: string;
  query: string;
  optimizer: string;
  dispatches: number;
  /** Per step: |ours − cpu| / max(|cpu|, 1e-6) of the mean loss. */
  lossError: number[];
  /** Per step: ours − cpu correct answers. */
  correctDifference: number[];
  /** Worst over the weights: max |ours − cpu| / max |cpu| of the first step's gradient; null where the optimizer hides it (Adam). */
  gradientError: number | null;
  /** Worst over the weights and steps: max |ours − cpu| / max |cpu update| of the weights. */
  weightError: number;
  /** The weight with the worst error, e.g. "conv2 kernel after step 2". */
  worstWeight: string;
  tensorsLeaked: number;
  error?: string;
}


/** Relative to the largest value (a loss, a gradient, a weight update): float32 sums in another order differ about this much. */
export const STEP_CHECK_TOLERANCE = 1e-3;
/**
 * Adam divides each gradient by its own running size, so a weight whose
 * gradient is tiny moves by a full step either way, and the rounding of that
 * tiny gradient shows at full scale (measured here: up to 5e-3 on step 2).
 */
export const ADAM_WEIGHT_TOLERANCE = 1e-2;

/** One sentence per case and measure that is off; empty when all agree. */
export function stepCheckFailures(results: StepCheckCase[]): string[] {
  const failures: string[] = [];
  for (const r of results) {
    if (r.error) {
      failures.push(`${r.name}: ${r.error}`);
      continue;
    }
    const worstLoss = Math.max(...r.lossError);
    if (!(worstLoss <= STEP_CHECK_TOLERANCE)) failures.push(`${r.name}: loss off by ${worstLoss}`);
    if (r.correctDifference.some((d) => d !== 0)) failures.push(`${r.name}: correct answers differ by ${r.correctDifference.join(', ')}`);
    if (r.gradientError !== null && !(r.gradientError <= STEP_CHECK_TOLERANCE)) failures.push(`${r.name}: gradients off by ${r.gradientError}`);
    if (!(r.weightError <= (r.optimizer === 'adam' ? ADAM_WEIGHT_TOLERANCE : STEP_CHECK_TOLERANCE))) failures.push(`${r.name}: weights off by ${r.weightError} (${r.worstWeight})`);
    if (r.tensorsLeaked !== 0) failures.push(`${r.name}: ${r.tensorsLeaked} tensors left`);
  }
  return failures;
}
