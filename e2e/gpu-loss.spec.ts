/**
 * Losing the GPU mid-run, provoked without any hook in the app:
 * - WebGL: the test makes twenty more WebGL contexts inside the training
 *   worker (worker.evaluate runs in its global scope). Chromium caps live
 *   contexts, so it drops the oldest, tfjs's own, with 'webglcontextlost'
 *   ("Too many active WebGL contexts"), exactly as when a page opens too many.
 * - WebGPU: CDP's Browser.crashGpuProcess kills the GPU process, as a driver
 *   reset would; tfjs's GPUDevice reports `lost`.
 * In both the run ends with an alert, the charts keep what it learned, and
 * the next run falls back to another backend in the same worker.
 */
import { expect, test } from '@playwright/test';
import config from '../playwright.config';
import { drawStroke, epochRows, expectFinishedRun, status, trainerWorkers, view } from './helpers';
import { readMemory } from './robustness.helpers';

// A browser of its own: the GPU process crash below must not touch other specs.
test.use({ launchOptions: { ...config.use?.launchOptions, args: [...(config.use?.launchOptions?.args ?? [])] } });

test('a lost WebGL context, then a lost WebGPU device: each run ends with an alert and the next falls back', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await page.goto('/?train=2048&test=128&epochs=5&batch=64&backend=webgl');
  await expect(status(page)).toContainText('Ready');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status(page)).toContainText('Training · Backend: webgl');
  const curve = page.getByRole('group', { name: 'Training curves' }).locator('path.recharts-line-curve').first();
  await expect(curve).toHaveAttribute('d', /M.+L/);

  const worker = trainerWorkers(page)[0];
  await worker.evaluate(() => {
    const contexts: unknown[] = [];
    for (let i = 0; i < 20; i++) contexts.push(new OffscreenCanvas(1, 1).getContext('webgl2'));
  });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The run stopped: the WebGL context was lost');
  await expect(alert).toContainText('the next run uses another backend than WebGL');
  await expect(status(page)).toContainText('Error');
  // What it learned stays; the worker freed the run's tensors though its GPU is gone.
  await expect(curve).toHaveAttribute('d', /M.+L/);
  expect((await readMemory(page)).tensors).toBe(0);
  // The views ask about a model whose GPU is gone: they say so.
  await drawStroke(page, [10, 6], [16, 22]);
  await expect(view(page, 'Draw')).toContainText('The model of that run is gone: its GPU was lost');

  // Still asking for WebGL: the next run falls back (WebGPU is next in line; slow in SwiftShader, so a small run,
  // yet long enough, at about a hundred images a second with the compiled step, to be lost while it trains).
  await page.getByLabel('Training images', { exact: true }).fill('1024');
  await page.getByLabel('Test images', { exact: true }).fill('32');
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(alert).toHaveCount(0);
  await expect(status(page)).toContainText(
    'Backend: webgpu (WebGL unavailable: its GPU was lost earlier in this session; reload the page to try it again)',
  );
  // Kill the GPU process while that WebGPU run is on: once it trains (the backend line shows how).
  await expect(status(page)).toContainText('Training · Backend: webgpu');
  await expect(status(page)).toContainText('compiled training step');
  const cdp = await browser.newBrowserCDPSession();
  await cdp.send('Browser.crashGpuProcess');
  await expect(alert).toContainText('The run stopped: the WebGPU device was lost');
  await expect(status(page)).toContainText('Error');
  expect((await readMemory(page)).tensors).toBe(0);

  // Both GPU backends are out: WebAssembly trains, in the same worker.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(alert).toHaveCount(0);
  await expectFinishedRun(page, 1);
  await expect(status(page)).toContainText('Backend: wasm (WebGL unavailable: its GPU was lost earlier');
  expect(await epochRows(page).count()).toBe(1);
  expect((await readMemory(page)).tensors).toBe(0);
  expect(trainerWorkers(page)).toHaveLength(1);
  expect(trainerWorkers(page)[0]).toBe(worker);
});
