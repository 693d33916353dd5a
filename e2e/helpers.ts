import { expect, type Locator, type Page } from '@playwright/test';

export function epochRows(page: Page) {
  return page.getByRole('table', { name: 'Epoch metrics' }).locator('tbody tr[data-epoch]');
}

/** Each finished epoch row as numbers: [epoch, loss, train acc, test acc, seconds, images/s]. */
export async function epochNumbers(page: Page): Promise<number[][]> {
  const rows = await epochRows(page).all();
  return Promise.all(rows.map(async (row) => {
    const cells = await row.locator('td, th').allInnerTexts();
    return cells.map((text) => Number(text.replace(/[, ]/g, '')));
  }));
}

export function status(page: Page) {
  return page.getByRole('status').filter({ hasText: 'Backend' }).first();
}

export async function expectFinishedRun(page: Page, epochs: number) {
  await expect(epochRows(page)).toHaveCount(epochs, { timeout: 90_000 });
  await expect(status(page)).toContainText('Done');
  for (const [epoch, loss, trainAcc, testAcc, seconds, speed] of await epochNumbers(page)) {
    expect(epoch).toBeGreaterThanOrEqual(1);
    expect(loss).toBeGreaterThan(0);
    expect(loss).toBeLessThan(10);
    for (const accuracy of [trainAcc, testAcc]) {
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
    }
    expect(seconds).toBeGreaterThan(0);
    expect(speed).toBeGreaterThan(0);
  }
}

/**
 * The app's training workers. WebAssembly's thread workers (blob: URLs) are
 * workers of the page too; the tests count only the one the app made.
 */
export function trainerWorkers(page: Page) {
  return page.workers().filter((worker) => worker.url().includes('trainer.worker'));
}

/**
 * The training workers that still run code. A worker that closed itself
 * (self.close()) can stay in Chromium's list of the page's workers for a
 * while after the app terminated it (seen once in CI, under load); a worker
 * that answers is alive, whatever the list says.
 */
export async function liveTrainerWorkers(page: Page) {
  const workers = trainerWorkers(page);
  const alive = await Promise.all(workers.map((worker) => Promise.race([
    worker.evaluate(() => true).catch(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1_000)),
  ])));
  return workers.filter((_, i) => alive[i]);
}

/** A mouse stroke on the Draw view's pad, between two points in its 28×28 pixel coordinates. */
export async function drawStroke(page: Page, from: [number, number], to: [number, number]) {
  const pad = page.getByRole('region', { name: 'Draw', exact: true }).getByRole('img', { name: /Drawing pad/ });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x / 28) * box.width, box.y + (y / 28) * box.height] as const;
  await page.mouse.move(...at(from));
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) {
    await page.mouse.move(...at([from[0] + ((to[0] - from[0]) * i) / 8, from[1] + ((to[1] - from[1]) * i) / 8]));
  }
  await page.mouse.up();
}

/** An inspection view: the section named by its heading. */
export function view(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}
