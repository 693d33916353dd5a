/**
 * Broken data files, served with page.route (it intercepts the training
 * worker's fetches too in this Chromium): the user gets an alert naming the
 * file, the page stays usable, and once the file is fixed the next Train
 * loads it and trains. The other files are a tiny valid dataset (100 images)
 * so each case loads in milliseconds; one case truncates a real file.
 */
import { expect, test, type Page } from '@playwright/test';
import { epochRows, status, trainerWorkers } from './helpers';
import {
  FILES, gunzipSync, gzipSync, idxImages, idxLabels, phase, realFile, serveDataset, tinyDataset, type DataFile,
} from './robustness.helpers';

const TINY = tinyDataset(100);

const SMALL = '/?train=128&test=64&epochs=1&batch=64&backend=wasm';

interface BrokenCase {
  name: string;
  file: DataFile;
  /** What the server answers for `file`. */
  respond: () => { status: number; body: Buffer | string; contentType?: string };
  /** What the alert must say besides the file's name. */
  says: RegExp;
}

function truncated(bytes: Buffer): Buffer {
  return bytes.subarray(0, Math.floor(bytes.length / 2));
}

/** Ten flipped bytes spread over the deflate stream (past the 10-byte gzip header, before the 8-byte trailer). */
function corrupted(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const step = Math.max(1, Math.floor((copy.length - 18) / 10));
  for (let i = 10; i < copy.length - 8; i += step) copy[i] ^= 0x5a;
  return copy;
}

const CASES: BrokenCase[] = [
  { name: 'missing (404)', file: FILES.trainImages, respond: () => ({ status: 404, body: 'Not Found' }), says: /HTTP 404/ },
  {
    name: 'missing, and the server sends its HTML page instead', file: FILES.trainLabels,
    respond: () => ({ status: 200, body: '<!doctype html><html><body><img src=x onerror="window.__xss=1"></body></html>', contentType: 'text/html' }),
    says: /not gzip data/,
  },
  { name: 'empty', file: FILES.testLabels, respond: () => ({ status: 200, body: Buffer.alloc(0) }), says: /empty/ },
  {
    name: 'truncated download (half of the real test images)', file: FILES.testImages,
    respond: () => ({ status: 200, body: truncated(realFile(FILES.testImages)) }), says: /truncated/,
  },
  {
    name: 'corrupt bytes', file: FILES.trainImages,
    respond: () => ({ status: 200, body: corrupted(TINY[FILES.trainImages]) }), says: /corrupt/,
  },
  {
    name: 'wrong IDX type (labels where images belong)', file: FILES.testImages,
    respond: () => ({ status: 200, body: TINY[FILES.testLabels] }), says: /wrong magic number 2049.*label file/,
  },
  {
    name: 'mismatched counts (99 test labels for 100 images)', file: FILES.testLabels,
    respond: () => ({ status: 200, body: gzipSync(idxLabels(99)) }),
    says: /count mismatch: 99 labels but t10k-images-idx3-ubyte\.gz has 100 images/,
  },
  {
    name: 'image file shorter than its header says', file: FILES.trainImages,
    respond: () => ({ status: 200, body: gzipSync(gunzipSync(TINY[FILES.trainImages]).subarray(0, 16 + 784 * 50)) }),
    says: /truncated: header says 100 images/,
  },
  {
    name: 'a label outside 0–9', file: FILES.trainLabels,
    respond: () => ({ status: 200, body: gzipSync(idxLabels(100, (i) => (i === 42 ? 10 : i % 10))) }),
    says: /label 10 at index 42 is outside 0–9/,
  },
  {
    name: 'images of the wrong size (32×32)', file: FILES.testImages,
    respond: () => {
      const images = idxImages(100);
      images.writeUInt32BE(32, 8);
      images.writeUInt32BE(32, 12);
      return { status: 200, body: gzipSync(Buffer.concat([images, Buffer.alloc(100 * (32 * 32 - 784))])) };
    },
    says: /holds 32×32 images; LeNet needs 28×28/,
  },
];

async function breakFile(page: Page, broken: BrokenCase) {
  const { status: code, body, contentType } = broken.respond();
  await page.route(`**/data/fashion-mnist/${broken.file}`, (route) =>
    route.fulfill({ status: code, body, headers: { 'content-type': contentType ?? 'application/gzip' } }));
}

for (const [index, broken] of CASES.entries()) {
  test(`data file ${broken.name}: an alert names ${broken.file}, the page stays usable, a fixed file trains`, async ({ page }) => {
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await serveDataset(page, TINY);
    // Registered last, so it wins over the tiny file of the same name.
    await breakFile(page, broken);
    await page.goto(SMALL);

    // The load that starts with the page fails with a clear alert.
    const alert = page.getByRole('alert');
    await expect(alert).toContainText(broken.file);
    await expect(alert).toContainText(broken.says);
    await expect(alert).toContainText('Press Train to try again');
    expect(await phase(page)).toBe('Error');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    // Controls still work: a setting changes and lands in the link.
    await page.getByLabel('Seed', { exact: true }).fill('7');
    await expect(page).toHaveURL(/seed=7/);

    if (index < 2) {
      // Train while the file is still broken: the same alert again, nothing stuck.
      await page.getByRole('button', { name: 'Dismiss' }).click();
      await expect(alert).toHaveCount(0);
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await expect(alert).toContainText(broken.file);
      await expect(status(page)).toContainText('Error');
      await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
    }

    // The server is fixed: the next Train loads the good file and trains.
    await page.unroute(`**/data/fashion-mnist/${broken.file}`);
    await serveDataset(page, { [broken.file]: TINY[broken.file] });
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(alert).toHaveCount(0);
    await expect(epochRows(page)).toHaveCount(1, { timeout: 90_000 });
    await expect(status(page)).toContainText('Done');
    expect(trainerWorkers(page)).toHaveLength(1);
    expect(pageErrors).toEqual([]);
  });
}
