/**
 * Our WebAssembly training kernels (src/kernels/wasm: the SIMD module of
 * src/kernels/wasm/simd and its helper workers) compute what tfjs's cpu
 * backend computes. The unit tests run them under Node, on one thread and
 * without relaxed SIMD; here they run as the app runs them: relaxed-SIMD
 * fused multiply-adds, and the work split with helper workers on tfjs's
 * shared heap.
 */
import { expect, test } from '@playwright/test';
import type { BenchPageApi, WasmKernelCheckReply } from '../src/bench/protocol';

test('wasm: our SIMD kernels, split over helper workers, match tfjs\'s cpu backend and free what they make', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/bench.html');
  await expect(page.locator('html')).toHaveAttribute('data-bench-ready', 'true');
  const reply: WasmKernelCheckReply = await page.evaluate(() =>
    (window as Window & { lenetBench?: BenchPageApi }).lenetBench!.checkWasmKernels());
  expect(reply.available, reply.note).toBe(true);
  expect(reply.variant).toBe('sharedRelaxed');
  expect(reply.threads).toBeGreaterThanOrEqual(2);
  expect(reply.helpers, 'helper workers running').toBe(reply.threads! - 1);
  expect(reply.cases!.length).toBeGreaterThan(25);
  for (const c of reply.cases!) {
    for (const [value, error] of Object.entries(c.errors)) expect(error, `${c.name}: ${value}`).toBeLessThan(1e-4);
    expect(c.tensorsLeaked, c.name).toBe(0);
  }
});
