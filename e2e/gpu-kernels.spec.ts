/**
 * Our GPU training kernels (src/kernels/webgl: WebGL's convolutions as packed
 * matrix products; src/kernels/webgpu: WebGPU's batch-split filter gradient
 * and direct convolution for few input channels) compute what the backends' own compute. They
 * cannot run under Node, so the benchmark page runs the shared
 * kernel test cases in a worker, once with tfjs's kernel and once with ours,
 * on the same inputs (SwiftShader here: the same shaders a real GPU runs).
 * The cases (src/kernels/shared/testValues.ts) cover the editor's geometries
 * (kernels 1–9 including 3 and 7, strides 1–3, 'same' and 'valid', 1–64
 * channels, batches of 1 to 2048, zero-padded inputs up to 44×44, outputs
 * down to 1×1); some run again with a small split budget so the kernels take
 * the paths that large batches and filters take, and one too large for the
 * full comparison checks the forward convolution alone.
 */
import { expect, test } from '@playwright/test';
import type { BenchPageApi, KernelCheckReply, StepCheckReply } from '../src/bench/protocol';
import { STEP_CHECK_CASES, stepCheckFailures } from '../src/kernels/webgpu/compiled/stepCheckCases';

for (const backend of ['webgl', 'webgpu'] as const) {
  test(`${backend}: our convolution kernels match tfjs's own, and free what they make`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.goto('/bench.html');
    await expect(page.locator('html')).toHaveAttribute('data-bench-ready', 'true');
    const reply: KernelCheckReply = await page.evaluate(
      (name) => (window as Window & { lenetBench?: BenchPageApi }).lenetBench!.checkKernels(name),
      backend,
    );
    expect(reply.available, reply.note).toBe(true);
    expect(reply.cases.length).toBeGreaterThan(20);
    const split = reply.cases.filter((c) => c.name.includes('(split budget'));
    expect(split.length, 'cases run with a small split budget').toBeGreaterThan(3);
    // The budget changes the work: on WebGL in all of them, on WebGPU where the partial sums exceed it.
    expect(split.filter((c) => c.budgetHits > 0).length).toBe(backend === 'webgl' ? split.length : 2);
    // With the default budget nothing in these small cases is split.
    expect(reply.cases.filter((c) => !split.includes(c) && c.budgetHits > 0).map((c) => c.name)).toEqual([]);
    expect(reply.patchesKept, 'patch matrices WebGL still holds').toBe(0);
    expect(reply.forwardCases.length).toBeGreaterThan(0);
    for (const c of reply.forwardCases) expect(c.outputError, c.name).toBeLessThan(1e-4);
    for (const c of reply.cases) {
      expect(c.filterScale, c.name).toBeGreaterThan(0);
      expect(c.outputError, c.name).toBeLessThan(1e-4);
      expect(c.fusedOutputError, c.name).toBeLessThan(1e-4);
      expect(c.biasError, c.name).toBeLessThan(1e-4);
      expect(c.filterError, c.name).toBeLessThan(1e-4);
      expect(c.otherInputFilterError, c.name).toBeLessThan(1e-4);
      expect(c.inputError, c.name).toBeLessThan(1e-4);
      expect(c.tensorsLeaked, c.name).toBe(0);
    }
  });
}

test('webgpu: the compiled training step matches tfjs\'s cpu backend step for step, and frees what it makes', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/bench.html');
  await expect(page.locator('html')).toHaveAttribute('data-bench-ready', 'true');
  const reply: StepCheckReply = await page.evaluate(() => (window as Window & { lenetBench?: BenchPageApi }).lenetBench!.checkCompiledStep());
  expect(reply.available, reply.note).toBe(true);
  expect(reply.cases.map((c) => c.name)).toEqual(STEP_CHECK_CASES.map((c) => c.name));
  expect(stepCheckFailures(reply.cases)).toEqual([]);
  // Two dispatches per layer with weights or pooling, the output layer's forward pass and loss in one.
  expect(reply.cases.find((c) => c.name.startsWith('d2l preset'))?.dispatches).toBe(18);
});
