import { expect, test, type Download } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { epochNumbers, epochRows, expectFinishedRun, status } from './helpers';

const SMALL = 'train=512&test=256&epochs=2';

test('trains the book\'s LeNet on a small subset and shows metrics and curves', async ({ page }) => {
  await page.goto(`/?${SMALL}`);
  await expect(page.getByRole('table', { name: 'Layers' })).toContainText('61,706');
  await expect(status(page)).toContainText('Ready');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expectFinishedRun(page, 2);
  const curves = page.getByRole('group', { name: 'Training curves' }).locator('path.recharts-line-curve');
  await expect(curves.first()).toHaveAttribute('d', /M.+L/);
  expect(await curves.count()).toBeGreaterThanOrEqual(2);

  // The numbers go home as CSV: a header and one line per epoch, matching the table.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export metrics (CSV)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('lenet-metrics.csv');
  const lines = readFileSync(await file.path(), 'utf8').trim().split('\n');
  expect(lines[0]).toBe('epoch,train_loss,train_acc,test_acc,seconds,images_per_second');
  expect(lines).toHaveLength(3);
  const table = await epochNumbers(page);
  lines.slice(1).forEach((line, i) => {
    const [epoch, loss, , testAccuracy] = line.split(',').map(Number);
    expect(epoch).toBe(i + 1);
    expect(loss.toFixed(3)).toBe(table[i][1].toFixed(3));
    expect(testAccuracy.toFixed(3)).toBe(table[i][3].toFixed(3));
  });

  // The trained model goes too, in tfjs's own format: model.json names its weights file, which holds every parameter.
  const files: Download[] = [];
  const both = new Promise<void>((resolve) => {
    page.on('download', (saved) => {
      files.push(saved);
      if (files.length === 2) resolve();
    });
  });
  await page.getByRole('button', { name: 'Export model' }).click();
  await both;
  const byName = new Map(files.map((saved) => [saved.suggestedFilename(), saved]));
  const modelJson = JSON.parse(readFileSync(await byName.get('model.json')!.path(), 'utf8'));
  expect(modelJson.weightsManifest[0].paths).toEqual(['./model.weights.bin']);
  expect(JSON.stringify(modelJson.modelTopology)).toContain('"class_name":"Conv2D"');
  expect(readFileSync(await byName.get('model.weights.bin')!.path()).byteLength).toBe(61_706 * 4);
  await expect(page.getByRole('status').filter({ hasText: 'Saved model.json' })).toBeVisible();
});

test('Stop ends a run within about a second and Train starts a fresh one', async ({ page }) => {
  // Epochs long enough (16,384 images) that Stop lands in the one after the first row, on a fast machine too.
  await page.goto('/?train=16384&test=256&epochs=20&batch=64');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Epoch progress' })).toBeVisible();
  await expect(status(page)).toContainText('Training', { timeout: 60_000 });
  await expect(epochRows(page)).toHaveCount(1, { timeout: 60_000 });
  const pressed = Date.now();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(status(page)).toContainText('Stopped', { timeout: 5_000 });
  expect(Date.now() - pressed).toBeLessThan(2_000);
  // The finished epochs stay; none is added once stopped.
  const kept = await epochRows(page).count();
  expect(kept).toBeGreaterThanOrEqual(1);
  await expect(status(page)).toContainText('Stopped');
  await expect(epochRows(page)).toHaveCount(kept);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(epochRows(page)).toHaveCount(0);
  await expect(status(page)).toContainText('Training', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(status(page)).toContainText('Stopped');
});

test('a shared link restores every control in a new browser', async ({ page, browser }) => {
  await page.goto('/');
  await page.getByLabel('Preset', { exact: true }).selectOption({ label: 'Modern LeNet' });
  await page.getByLabel('Learning rate', { exact: true }).fill('0.004');
  await page.getByLabel('Batch size', { exact: true }).fill('128');
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByLabel('Pooling', { exact: true }).selectOption({ label: 'Average' });
  await page.getByLabel('Seed', { exact: true }).fill('42');
  await page.getByLabel('Training images', { exact: true }).fill('2000');
  await page.getByLabel('Backend', { exact: true }).selectOption({ label: 'WebAssembly' });
  await page.getByLabel('Seed', { exact: true }).blur();
  await page.getByRole('button', { name: 'Copy share link' }).click();
  const link = await page.getByLabel('Share link').inputValue();
  expect(link).toContain('preset=modern');
  expect(page.url()).toBe(link);

  const labels = ['Preset', 'Learning rate', 'Batch size', 'Epochs', 'Optimizer', 'Initializer', 'Activation',
    'Pooling', 'Seed', 'Training images', 'Test images', 'Backend'];
  const values = async (p: typeof page) => Promise.all(labels.map((label) => p.getByLabel(label, { exact: true }).inputValue()));
  const expected = await values(page);
  expect(expected).toEqual(['modern', '0.004', '128', '3', 'adam', 'he', 'relu', 'avg', '42', '2000', '10000', 'wasm']);

  const other = await browser.newContext();
  const fresh = await other.newPage();
  await fresh.goto(link);
  expect(await values(fresh)).toEqual(expected);
  await other.close();
});

test('a hostile link shows the problems, uses safe values and runs no script', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto('/?lr=<img src=x onerror=alert(1)>&epochs=-5&batch=1e999&foo=bar');
  const notice = page.getByRole('region', { name: 'Link problems' });
  await expect(notice).toContainText('lr');
  await expect(notice).toContainText('epochs');
  await expect(notice).toContainText('batch');
  await expect(notice).toContainText('foo');
  await expect(page.getByLabel('Learning rate', { exact: true })).toHaveValue('0.9');
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('1');
  await expect(page.getByLabel('Batch size', { exact: true })).toHaveValue('256');
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
});

for (const backend of ['wasm', 'webgl'] as const) {
  test(`trains to the end on backend=${backend} and names it`, async ({ page }) => {
    await page.goto(`/?train=256&test=128&epochs=1&batch=64&backend=${backend}`);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expectFinishedRun(page, 1);
    await expect(status(page)).toContainText(`Backend: ${backend}`);
    if (backend === 'wasm') {
      // Cross-origin isolated, so WebAssembly trains on every core (tfjs keeps at most 8 threads).
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const threads = Math.min(cores, 8);
      await expect(status(page)).toContainText(`SIMD, ${threads} thread${threads === 1 ? '' : 's'} of ${cores} cores`);
    }
  });
}

test('the page stays responsive while training: controls take focus and Stop works', async ({ page }) => {
  await page.goto('/?train=8192&test=256&epochs=10&batch=64');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status(page)).toContainText('Training', { timeout: 60_000 });
  await expect(page.getByLabel('Seed', { exact: true })).toBeDisabled();
  // The page's thread is free: keyboard focus moves and a button answers at once.
  const copy = page.getByRole('button', { name: 'Copy share link' });
  await copy.focus();
  await expect(copy).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Share link')).toHaveValue(/train=8192/, { timeout: 1_000 });
  const before = Date.now();
  const stop = page.getByRole('button', { name: 'Stop' });
  await stop.focus();
  await expect(stop).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(status(page)).toContainText('Stopped', { timeout: 5_000 });
  expect(Date.now() - before).toBeLessThan(3_000);
});
