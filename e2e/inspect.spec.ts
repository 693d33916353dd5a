/**
 * "See what the network learned", as a first-time user meets it: the
 * clothes before training, then after a small Modern LeNet run the confusion
 * matrix (which must agree with the epoch table), a cell's images, the
 * mistakes, the feature maps of the book's pullover and coat, and a drawing
 * the model judges. Elements are found by role and name, as a person would.
 */
import { expect, test, type Page } from '@playwright/test';
import { drawStroke, epochNumbers, expectFinishedRun, status, view } from './helpers';
import { readMemory, watchForTrouble } from './robustness.helpers';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const RUN = '/?preset=modern&train=3000&test=500&epochs=2&backend=wasm';


async function predictionPercents(page: Page): Promise<number[]> {
  const table = page.getByRole('table', { name: 'Prediction' });
  const cells = await table.locator('tbody tr td:first-of-type').allInnerTexts();
  return cells.map((text) => Number(text.replace('%', '')));
}

test('a learner sees the clothes, trains, and finds what LeNet confuses, its feature maps and what it makes of a drawing', async ({ page }) => {
  test.setTimeout(240_000);
  const trouble = watchForTrouble(page);
  await page.goto(RUN);

  // Before any training: 100 training images, each named by its class, ten per class.
  const dataset = view(page, 'Dataset');
  await expect(dataset.getByRole('img')).toHaveCount(100);
  const names = await dataset.getByRole('img').evaluateAll((images) => images.map((image) => image.getAttribute('aria-label')));
  for (const name of CLASSES) expect(names.filter((n) => n === name)).toHaveLength(10);
  await expect(view(page, 'Confusion matrix')).toContainText('Train to see the confusion matrix');
  await expect(view(page, 'Draw')).toContainText('Train to see');

  await expect(status(page)).toContainText('Ready');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expectFinishedRun(page, 2);

  // The matrix counts every test image once; its diagonal is the last epoch's test accuracy.
  const matrix = page.getByRole('table', { name: 'Confusion matrix' });
  const cells = matrix.locator('tbody td');
  await expect(cells).toHaveCount(100);
  const counts = (await cells.allInnerTexts()).map(Number);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(500);
  const diagonal = counts.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
  const testAccuracy = (await epochNumbers(page)).at(-1)![3];
  expect((diagonal / 500).toFixed(3)).toBe(testAccuracy.toFixed(3));
  await expect(page.getByRole('table', { name: 'Per-class accuracy' }).locator('tbody tr')).toHaveCount(10);

  // The busiest wrong cell lists its images, each named with both classes and the confidence.
  let busiest = -1;
  counts.forEach((count, i) => {
    if (i % 11 !== 0 && (busiest < 0 || count > counts[busiest])) busiest = i;
  });
  const [trueClass, predicted] = [CLASSES[Math.floor(busiest / 10)], CLASSES[busiest % 10]];
  await cells.nth(busiest).getByRole('button').click();
  const expectedTitle = `${trueClass} predicted as ${predicted}: ${counts[busiest]} image`;
  await expect(view(page, 'Confusion matrix')).toContainText(expectedTitle);
  const cellImages = view(page, 'Confusion matrix').getByRole('img', { name: new RegExp(`^${escape(trueClass)}, predicted ${escape(predicted)}, [\\d.]+% sure$`) });
  await expect(cellImages).toHaveCount(Math.min(counts[busiest], 60));

  // Mistakes: the most confident wrong answers, and a filter by true class.
  const mistakes = view(page, 'Mistakes');
  const wrong = 500 - diagonal;
  await expect(mistakes.getByRole('img')).toHaveCount(Math.min(wrong, 48));
  await mistakes.getByLabel('True class').selectOption({ label: trueClass });
  await expect(mistakes.getByRole('img').first()).toHaveAttribute('aria-label', new RegExp(`^${escape(trueClass)}, predicted`));

  // Feature maps of the book's pair, side by side.
  const maps = view(page, 'Feature maps');
  await maps.getByRole('button', { name: 'Compare a Pullover with a Coat' }).click();
  await expect(maps.getByRole('img', { name: /^conv1 channel \d+$/ })).toHaveCount(12);
  await expect(maps.getByRole('img', { name: /^conv2 channel \d+$/ })).toHaveCount(32);
  await expect(maps.getByRole('img', { name: 'conv1 kernel 6' }).first()).toBeVisible();

  // Two different drawings get two different predictions, each adding up to 100%.
  const draw = view(page, 'Draw');
  await drawStroke(page, [14, 4], [14, 24]);
  await expect.poll(async () => (await predictionPercents(page)).filter(Number.isFinite).length).toBe(10);
  const first = await predictionPercents(page);
  expect(Math.abs(first.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.6);
  await draw.getByRole('button', { name: 'Clear' }).click();
  await drawStroke(page, [4, 10], [24, 10]);
  await drawStroke(page, [4, 18], [24, 18]);
  await expect.poll(async () => JSON.stringify(await predictionPercents(page))).not.toBe(JSON.stringify(first));
  const second = await predictionPercents(page);
  expect(Math.abs(second.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(0.6);

  // A keyboard user starts from a test image instead, and sends it to Feature maps.
  await draw.getByLabel('Start from a test image').selectOption({ label: 'Trouser' });
  await draw.getByRole('button', { name: 'Show in Feature maps' }).click();

  // Fifty more questions to the model, then a new run: nothing they made may be left behind.
  for (let i = 0; i < 10; i++) {
    await cells.nth((i * 7) % 100).getByRole('button').click();
    await mistakes.getByLabel('Predicted class').selectOption({ index: i % 11 });
    await dataset.getByRole('img').nth(i * 9).click();
    await drawStroke(page, [4 + i, 4], [24 - i, 24]);
  }
  await page.getByLabel('Epochs', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expectFinishedRun(page, 1);
  expect((await readMemory(page)).tensors).toBe(0);

  expect(trouble).toEqual([]);
});

function escape(text: string): string {
  return text.replace(/[/\\^$*+?.()|[\]{}]/g, '\\$&');
}

test('every view fits a phone, with no horizontal scroll, light and dark', async ({ page }) => {
  test.setTimeout(120_000);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/?preset=modern&train=600&test=200&epochs=1&backend=wasm');
    await expect(view(page, 'Dataset').getByRole('img')).toHaveCount(100);
    if (colorScheme === 'light') {
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await expectFinishedRun(page, 1);
      await expect(page.getByRole('table', { name: 'Confusion matrix' }).locator('tbody td')).toHaveCount(100);
      await expect(view(page, 'Feature maps').getByRole('img', { name: 'conv1 channel 1' })).toBeVisible();
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, colorScheme).toBeLessThanOrEqual(0);
  }
});

for (const backend of ['webgl', 'webgpu']) {
  test(`the views answer on ${backend} too (SwiftShader here)`, async ({ page }) => {
    test.setTimeout(240_000);
    const trouble = watchForTrouble(page);
    await page.goto(`/?preset=modern&train=256&test=64&epochs=1&batch=64&backend=${backend}`);
    await expect(status(page)).toContainText('Ready');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expectFinishedRun(page, 1);
    await expect(status(page)).toContainText(`Backend: ${backend}`);
    const cells = await page.getByRole('table', { name: 'Confusion matrix' }).locator('tbody td').allInnerTexts();
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(64);
    await expect(view(page, 'Feature maps').getByRole('img', { name: /^conv2 channel \d+$/ })).toHaveCount(16);
    await drawStroke(page, [14, 4], [14, 24]);
    await expect(view(page, 'Draw')).toContainText('Most likely');
    expect(trouble).toEqual([]);
  });
}
