/**
 * The chapter's exercises in the app: the layers edited by label, shared by
 * link, checked before training; MNIST and the learner's own files; each
 * exercise one click away.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { epochNumbers, expectFinishedRun, status } from './helpers';

const layers = (page: Page) => page.getByRole('table', { name: 'Layers' });
const total = (page: Page) => layers(page).locator('tfoot td').nth(1);
const layer = (page: Page, name: string) => page.getByRole('group', { name, exact: true });
const train = (page: Page) => page.getByRole('button', { name: 'Train', exact: true });

test('editing conv2\'s kernel size updates the Layers table at once, and the link restores it elsewhere', async ({ page, browser }) => {
  await page.goto('/?train=512&test=128&epochs=1');
  await expect(total(page)).toHaveText('61,706');
  await layer(page, 'conv2').getByLabel('Kernel size').fill('3');
  await expect(total(page)).toHaveText('81,290');
  await expect(layers(page).getByRole('row', { name: /conv2/ })).toContainText('1×16×12×12');
  await expect(page).toHaveURL(/arch=c6k5p2-pool2-c16k3-pool2-d120-d84/);

  const other = await browser.newContext();
  const opened = await other.newPage();
  await opened.goto(page.url());
  await expect(layer(opened, 'conv2').getByLabel('Kernel size')).toHaveValue('3');
  await expect(total(opened)).toHaveText('81,290');
  await other.close();
});

test('adding and removing layers changes the table; an impossible shape names its layer and turns Train off', async ({ page }) => {
  await page.goto('/?train=256&test=128&epochs=1&backend=wasm');
  await expect(status(page)).toContainText('Ready');
  const rows = layers(page).locator('tbody tr');
  await expect(rows).toHaveCount(8);
  await page.getByRole('button', { name: 'Add convolution block' }).click();
  await expect(rows).toHaveCount(10);
  await expect(layer(page, 'conv3')).toBeVisible();
  await expect(layer(page, 'pool3')).toBeVisible();
  await page.getByRole('button', { name: 'Add dense layer' }).click();
  await expect(layers(page).getByRole('row', { name: /dense3/ })).toBeVisible();
  await page.getByRole('button', { name: 'Remove dense3' }).click();
  await page.getByRole('button', { name: 'Remove pool3' }).click();
  await expect(rows).toHaveCount(9);

  // conv3 sees a 5×5 input: a 7×7 kernel cannot work.
  await layer(page, 'conv3').getByLabel('Padding').fill('0');
  await layer(page, 'conv3').getByLabel('Kernel size').fill('7');
  const reason = 'conv3: its 7×7 kernel is larger than its 5×5 input';
  await expect(layers(page).getByRole('row', { name: /conv3/ })).toContainText(`Cannot work: ${reason}`);
  await expect(train(page)).toBeDisabled();
  await expect(page.getByRole('status').filter({ hasText: 'Train is off' })).toContainText(reason);

  // Fixed, it trains on every layer the editor made.
  await layer(page, 'conv3').getByLabel('Kernel size').fill('3');
  await layer(page, 'conv3').getByLabel('Stride').fill('2');
  await expect(train(page)).toBeEnabled();
  await train(page).click();
  await expectFinishedRun(page, 1);
  await expect(page.getByRole('group', { name: 'conv3' }).getByLabel('Kernel size')).toBeEnabled();
});

test('a bad arch in a link gives a notice naming the bad part and the preset\'s layers', async ({ page }) => {
  await page.goto('/?arch=c6k5p2-pool2-c16k99-<b>x</b>');
  const notice = page.getByRole('region', { name: 'Link problems' });
  await expect(notice).toContainText('arch: layer 3 ("c16k99"): kernel 99 is outside 1–9; using the d2l preset\'s layers');
  await expect(total(page)).toHaveText('61,706');
  await page.goto('/?arch=c6k5-pool2-c16k5-pool2-c32k5');
  await expect(notice).toContainText('conv3: its 5×5 kernel is larger than its 4×4 input');
  await expect(train(page)).toBeEnabled();
});

test('MNIST digits with the modern preset: 3,000 images, 2 epochs, test accuracy above 0.8', async ({ page }) => {
  await page.goto('/?preset=modern&dataset=mnist&train=3000&test=1000&epochs=2&backend=wasm');
  await expect(page.getByRole('region', { name: 'Dataset', exact: true })).toContainText('MNIST digits');
  await expect(page.getByRole('list', { name: '7' })).toBeVisible();
  await expect(status(page)).toContainText('Ready');
  await train(page).click();
  await expectFinishedRun(page, 2);
  const [, last] = await epochNumbers(page);
  expect(last[3]).toBeGreaterThan(0.8);
  // The views name digits, not clothes.
  await expect(page.getByRole('table', { name: 'Per-class accuracy' })).toContainText('9');
  await expect(page.getByRole('table', { name: 'Per-class accuracy' })).not.toContainText('Coat');
});

/** Four IDX files of a few hundred MNIST digits, under names of the learner's own, two of them gzip'd. */
function ownFiles() {
  const read = (name: string) => gunzipSync(readFileSync(`public/data/mnist/${name}`));
  const slice = (bytes: Buffer, header: number, itemBytes: number, count: number) => {
    const out = Buffer.from(bytes.subarray(0, header + count * itemBytes));
    out.writeUInt32BE(count, 4);
    return out;
  };
  return [
    { name: 'digits-test-labels.idx1', mimeType: 'application/octet-stream', buffer: slice(read('t10k-labels-idx1-ubyte.gz'), 8, 1, 200) },
    { name: 'my-train-images.gz', mimeType: 'application/gzip', buffer: gzipSync(slice(read('train-images-idx3-ubyte.gz'), 16, 784, 600)) },
    { name: 'digits-test-images.idx3', mimeType: 'application/octet-stream', buffer: slice(read('t10k-images-idx3-ubyte.gz'), 16, 784, 200) },
    { name: 'my-train-labels.gz', mimeType: 'application/gzip', buffer: gzipSync(slice(read('train-labels-idx1-ubyte.gz'), 8, 1, 600)) },
  ];
}

test('your own four files: checked in the page\'s worker, trained on, asked for again from a link', async ({ page, browser }) => {
  await page.goto('/?train=600&test=200&epochs=1&backend=wasm');
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption('own');
  await expect(train(page)).toBeDisabled();
  await expect(page.getByRole('status').filter({ hasText: 'Train is off' })).toContainText('choose your four IDX files');
  const picker = page.getByLabel('Your four IDX files');

  // A broken set is named and changes nothing.
  const files = ownFiles();
  await picker.setInputFiles([...files.slice(0, 3), { ...files[3], buffer: Buffer.from('<script>alert(1)</script>') }]);
  await expect(page.getByRole('alert')).toContainText('These files cannot be used: my-train-labels.gz');
  await expect(train(page)).toBeDisabled();

  await picker.setInputFiles(files);
  await expect(page.getByRole('status').filter({ hasText: 'Ready: 600 training and 200 test images' })).toBeVisible();
  await train(page).click();
  await expectFinishedRun(page, 1);
  await expect(page).toHaveURL(/dataset=own/);

  const other = await browser.newContext();
  const opened = await other.newPage();
  await opened.goto(page.url());
  await expect(opened.getByRole('status').filter({ hasText: 'No files chosen yet' })).toBeVisible();
  await expect(train(opened)).toBeDisabled();
  await other.close();
});

test('every exercise is one click: 2d adds a third convolution, 3 switches to MNIST, 4 opens Feature maps', async ({ page }) => {
  await page.goto('/?train=512&test=256&epochs=1&backend=wasm');
  const exercises = page.getByRole('region', { name: 'Exercises' });
  await expect(exercises.getByRole('listitem')).toHaveCount(9);
  await expect(exercises).toContainText('In our runs: test acc');
  await exercises.getByRole('button', { name: 'Set up exercise 2d' }).click();
  await expect(layer(page, 'conv3')).toBeVisible();
  await expect(page).toHaveURL(/arch=c6k5p2-pool2-c16k5-pool2-c32k3p1-d120-d84/);
  await expect(page).toHaveURL(/train=512/);
  await exercises.getByRole('button', { name: 'Set up exercise 1' }).click();
  await expect(layer(page, 'conv3')).toHaveCount(0);
  await expect(page.getByRole('combobox', { name: 'Pooling' })).toHaveValue('max');
  // The learner's answer shows beside ours once the run is kept.
  await train(page).click();
  await expectFinishedRun(page, 10);
  await expect(exercises.getByRole('listitem').filter({ hasText: 'Max pooling' })).toContainText(/Your run “Run 1: pool=max.*”: test acc 0\.\d{3} after 10 epochs on 512 training images/);
  await exercises.getByRole('button', { name: 'Set up exercise 3' }).click();
  await expect(page.getByRole('combobox', { name: 'Dataset' })).toHaveValue('mnist');
  await exercises.getByRole('button', { name: 'Show a pullover and a coat in Feature maps' }).click();
  // The run of exercise 1 learned clothes: the book's pair is side by side.
  const maps = page.getByRole('region', { name: 'Feature maps', exact: true });
  await expect(maps).toContainText('Pullover (test image');
  await expect(maps).toContainText('Coat (test image');
});
