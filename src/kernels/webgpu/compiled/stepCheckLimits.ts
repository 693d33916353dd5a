/** How close the compiled step must come to tfjs's cpu backend, for the Node check and the e2e test alike. */
import type { StepCheckCase } from './stepCheck';

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
