/**
 * `npm run check:compiled-step`: the compiled WebGPU training step against
 * tfjs's cpu backend (src/kernels/webgpu/compiled/stepCheck.ts) under Node,
 * on Dawn (the optional npm package `webgpu`, see README). Without a GPU,
 * Chromium's software Vulkan:
 *   LD_LIBRARY_PATH=/usr/lib/chromium VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json npm run check:compiled-step
 * Exits 1 when a case is off; CI runs the same cases in Chromium (e2e/gpu-kernels.spec.ts).
 */
import { checkCompiledStep } from '../src/kernels/webgpu/compiled/stepCheck';
import { stepCheckFailures, type StepCheckCase } from '../src/kernels/webgpu/compiled/stepCheckCases';
import { startNodeBackend } from './lib/node';

const { adapter } = await startNodeBackend('webgpu');
console.log(`compiled step vs tfjs cpu, ${adapter}`);
const results: StepCheckCase[] = await checkCompiledStep();
const fmt = (x: number | null) => (x === null ? '   -   ' : x.toExponential(1));
for (const r of results) {
  if (r.error) continue;
  console.log(`${r.name}: ${r.dispatches} dispatches; loss ${r.lossError.map(fmt).join(' ')}; correct ±${r.correctDifference.join(' ')}; ` +
    `gradients ${fmt(r.gradientError)}; weights ${fmt(r.weightError)} (${r.worstWeight}); tensors left ${r.tensorsLeaked}`);
}
const failures = stepCheckFailures(results);
for (const failure of failures) console.log(`FAIL ${failure}`);
console.log(failures.length ? `${failures.length} failures` : `all ${results.length} cases within tolerance`);
process.exit(failures.length ? 1 : 0);
