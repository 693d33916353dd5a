/**
 * Runs you keep: every ended run is saved in the browser, survives a reload,
 * shows on the chart beside others, loads its settings back, and another tab
 * sees it.
 */
import { expect, test, type Download, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { epochNumbers, expectFinishedRun, status } from './helpers';

// Several steps an epoch, so each kept run is a line, not a dot.
const SMALL = '/?train=512&test=128&epochs=1&batch=64&backend=wasm';
const runsTable = (page: Page) => page.getByRole('table', { name: 'Runs' });
const runRows = (page: Page) => runsTable(page).locator('tbody tr');
const curves = (page: Page) => page.getByRole('group', { name: 'Training curves' }).locator('path.recharts-line-curve');

async function trainOnce(page: Page, lr: string, expectedRows: number) {
  await page.getByLabel('Learning rate', { exact: true }).fill(lr);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expectFinishedRun(page, 1);
  await expect(runRows(page)).toHaveCount(expectedRows);
}

test('two runs are kept across a reload, drawn together, compared, loaded back and deleted one at a time', async ({ page }) => {
  await page.goto(SMALL);
  await expect(status(page)).toContainText('Ready');
  await expect(page.getByRole('region', { name: 'Runs' })).toContainText('No runs kept yet');
  await trainOnce(page, '0.9', 1);
  await trainOnce(page, '0.3', 2);
  await expect(runRows(page).first()).toContainText('lr=0.3');

  await page.reload();
  await expect(runRows(page)).toHaveCount(2);
  const live = await curves(page).count();
  for (const box of await page.getByRole('checkbox', { name: 'Show on chart' }).all()) await box.check();
  await expect.poll(() => curves(page).count()).toBeGreaterThanOrEqual(live + 6);

  for (const box of await page.getByRole('checkbox', { name: 'Compare' }).all()) await box.check();
  await expect(page.getByRole('region', { name: 'Runs' }).getByRole('status').filter({ hasText: 'against' }))
    .toContainText('differs in lr=');

  // The chart goes home as an image.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export chart (PNG)' }).click();
  const png = readFileSync(await (await download).path());
  expect(png.subarray(1, 4).toString()).toBe('PNG');

  // Load settings puts the older run's settings back, in the controls and the address bar.
  await page.getByLabel('Learning rate', { exact: true }).fill('0.05');
  await runRows(page).nth(1).getByRole('button', { name: 'Load settings' }).click();
  await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('0.9');
  await expect(page).not.toHaveURL(/lr=/);

  const name = await runRows(page).first().getByRole('textbox').inputValue();
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(runRows(page)).toHaveCount(1);
  await expect(runsTable(page)).not.toContainText('lr=0.3');
});

test('a run renamed, another tab sees a new run, and Clear all asks first', async ({ page, context }) => {
  await page.goto(SMALL);
  await expect(status(page)).toContainText('Ready');
  const other = await context.newPage();
  await other.goto(SMALL);
  await expect(other.getByRole('region', { name: 'Runs' })).toContainText('No runs kept yet');

  await trainOnce(page, '0.9', 1);
  await expect(runRows(other)).toHaveCount(1);

  const name = runRows(page).first().getByRole('textbox');
  await name.fill('<b>my</b> baseline');
  await name.press('Enter');
  await expect(runRows(other).first().getByRole('textbox')).toHaveValue('<b>my</b> baseline');

  await page.getByRole('button', { name: 'Clear all runs' }).click();
  await expect(runRows(page)).toHaveCount(1);
  await page.getByRole('button', { name: 'Yes, delete all runs' }).click();
  await expect(page.getByRole('region', { name: 'Runs' })).toContainText('No runs kept yet');
  await expect(other.getByRole('region', { name: 'Runs' })).toContainText('No runs kept yet');
});

test('a run file and an exported model come back through Import; broken files are named and add nothing', async ({ page }) => {
  await page.goto(SMALL);
  await expect(status(page)).toContainText('Ready');
  await trainOnce(page, '0.9', 1);
  const [, , , testAcc] = (await epochNumbers(page))[0];

  // The model goes out as tfjs files and comes back in: the same test accuracy on the same test images.
  const saved: Download[] = [];
  const both = new Promise<void>((resolve) => page.on('download', (file) => {
    saved.push(file);
    if (saved.length === 2) resolve();
  }));
  await page.getByRole('button', { name: 'Export model' }).click();
  await both;
  const paths = await Promise.all(saved.map(async (file) => ({ name: file.suggestedFilename(), path: await file.path() })));
  const importInput = page.getByLabel('Import');
  await importInput.setInputFiles(paths.map(({ name, path }) => ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(path) })));
  await expect(page.getByRole('status').filter({ hasText: 'Imported model.json' })).toContainText(`test acc ${testAcc.toFixed(3)}`);
  await expect(page.getByRole('region', { name: 'Confusion matrix' }).getByRole('table', { name: 'Per-class accuracy' })).toBeVisible();

  // A whole run goes out as one file and comes back as a second row.
  const download = page.waitForEvent('download');
  await runRows(page).first().getByRole('button', { name: /^Download / }).click();
  const runFile = readFileSync(await (await download).path());
  await importInput.setInputFiles({ name: 'run.json', mimeType: 'application/json', buffer: runFile });
  await expect(runRows(page)).toHaveCount(2);

  const hostile = [
    { name: 'notes.json', buffer: Buffer.from('{ not json') },
    { name: 'shape.json', buffer: Buffer.from(JSON.stringify({ format: 'lenet-playground-run', version: 1, run: { name: '<img src=x onerror=alert(1)>', epochs: 'many' } })) },
    { name: 'page.json', buffer: Buffer.from('<html><script>alert(1)</script></html>') },
    { name: 'model.json', buffer: Buffer.from(JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'LSTM', config: {} }] } }, weightsManifest: [] })), extra: true },
  ];
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  for (const file of hostile) {
    const files = [{ name: file.name, mimeType: 'application/json', buffer: file.buffer }];
    if (file.extra) files.push({ name: 'model.weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(16) });
    await importInput.setInputFiles(files);
    await expect(page.getByRole('region', { name: 'Runs' }).getByRole('alert')).toContainText(file.name);
    await page.getByRole('region', { name: 'Runs' }).getByRole('button', { name: 'Dismiss' }).click();
  }
  await expect(runRows(page)).toHaveCount(2);
  expect(dialogs).toBe(0);
});
