/**
 * Our GPU training kernels (src/core/gpu: WebGL's convolutions as packed
 * matrix products, WebGPU's batch-split filter gradient and direct convolution
 * for few input channels) compute what the backends' own compute. They
 * cannot run under Node, so the benchmark page runs the shared
 * kernel test cases in a worker, once with tfjs's kernel and once with ours,
 * on the same inputs (SwiftShader here: the same shaders a real GPU runs).
 */
import { expect, test } from '@playwright/test';
import type { BenchPageApi, KernelCheckReply } from '../src/bench/protocol';

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
    expect(reply.cases.length).toBeGreaterThan(10);
    expect(reply.patchesKept, 'patch matrices WebGL still holds').toBe(0);
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
