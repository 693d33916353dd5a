/**
 * Thirty short runs in one page, some stopped mid-way, some finished, with
 * every optimizer: nothing may pile up but the Runs table, one row per kept run. Checked after each run: the tensors
 * alive in the worker besides the one model it keeps for the inspection views
 * (the page's "Worker memory" readout; the kept model's tensors stay the
 * same), and, after each
 * finished run, the page's DOM node count; from the fourth run to the last:
 * the page's and the worker's JS heaps after a full GC (CDP heap snapshots).
 *
 * The heap figure held to 10% is the JS values in the snapshot, without
 * compiled code: V8 keeps adding optimised code for hot functions for many
 * runs (about 20 kB a run here), which is no leak. V8's own used size, code
 * included, is recorded next to it and held to a looser bound.
 */
import { expect, test, type Page } from '@playwright/test';
import { epochRows, status, trainerWorkers, view } from './helpers';
import { domNodes, memoryReadout, pageHeap, readMemory, workerHeap, type HeapFigures } from './robustness.helpers';

const RUNS = 30;

async function finishRun(page: Page, optimizer: string) {
  await page.getByLabel('Optimizer', { exact: true }).selectOption(optimizer);
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(epochRows(page)).toHaveCount(1, { timeout: 60_000 });
  await expect(status(page)).toContainText('Done');
}

async function stopRun(page: Page, optimizer: string) {
  await page.getByLabel('Optimizer', { exact: true }).selectOption(optimizer);
  await page.getByLabel('Epochs', { exact: true }).fill('50');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status(page)).toContainText('Training');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(status(page)).toContainText('Stopped');
}

test('thirty kept runs in one page leak no tensors, no heap and no DOM nodes', async ({ page, browser }) => {
  test.setTimeout(420_000);
  await page.goto('/?train=256&test=64&batch=32&backend=wasm');
  await expect(status(page)).toContainText('Ready');

  const optimizers = ['sgd', 'momentum', 'adam'];
  const tensors: number[] = [];
  const kept: string[] = [];
  const nodesAfterFinished: number[] = [];
  let heapsAtStart: { page: HeapFigures; worker: HeapFigures } | null = null;
  for (let run = 0; run < RUNS; run++) {
    const optimizer = optimizers[run % optimizers.length];
    if (run % 4 === 3) await stopRun(page, optimizer);
    else await finishRun(page, optimizer);
    tensors.push((await readMemory(page)).tensors);
    kept.push((await memoryReadout(page).innerText()).replace(/^.*besides /, ''));
    // The views answer a moment after the run ends: measure once they all have.
    await expect(view(page, 'Draw')).toContainText('Most likely');
    await expect(view(page, 'Feature maps').getByRole('img', { name: 'conv1 channel 1' })).toHaveCount(1);
    if (run % 4 !== 3) {
      await expect(view(page, 'Mistakes')).toContainText('wrong answers match');
      // How many images Mistakes lists depends on what the run learned, and each kept run is a row: not leaks.
      await expect(page.getByRole('table', { name: 'Runs' }).locator('tbody tr')).toHaveCount(run + 1);
      nodesAfterFinished.push(await domNodes(page, '.thumb-grid > li, .runs-table tbody tr'));
    }
    // Measured once warm: after the first stopped and the first finished runs of every optimizer.
    if (run === 3) heapsAtStart = { page: await pageHeap(page), worker: await workerHeap(browser) };
  }
  const heapsAtEnd = { page: await pageHeap(page), worker: await workerHeap(browser) };

  test.info().annotations.push({
    type: 'measured',
    description: `tensors after each run ${JSON.stringify(tensors)}; DOM nodes after finished runs ${JSON.stringify(nodesAfterFinished)}; ` +
      `heap after run 4 ${JSON.stringify(heapsAtStart)}, after run ${RUNS} ${JSON.stringify(heapsAtEnd)}`,
  });
  // Every run gives back every tensor it made (momentum used to keep one).
  expect(new Set(tensors)).toEqual(new Set([0]));
  // One model kept for the views, never more: the last run's.
  expect(new Set(kept)).toEqual(new Set(['the model kept for the views (10 tensors, 0.2 MB)']));
  // The page renders the same finished run with the same number of elements every time.
  expect(new Set(nodesAfterFinished).size).toBe(1);
  for (const side of ['page', 'worker'] as const) {
    expect(heapsAtEnd[side].usedBytes, `${side} used heap`).toBeLessThan(heapsAtStart![side].usedBytes * 1.25);
  }
  // The worker keeps one model whatever the number of runs; the page keeps every run's record (its rows, points and
  // settings: about 16 KB here, 2026-12-03), so its growth is counted per run: a leaked model, image set or chart
  // would be tens of KB to MBs a run.
  expect(heapsAtEnd.worker.jsObjectBytes, 'worker JS objects').toBeLessThan(heapsAtStart!.worker.jsObjectBytes * 1.1);
  const perRun = (heapsAtEnd.page.jsObjectBytes - heapsAtStart!.page.jsObjectBytes) / (RUNS - 4);
  expect(perRun, 'page JS objects per kept run').toBeLessThan(24_000);
  expect(trainerWorkers(page)).toHaveLength(1);
});
