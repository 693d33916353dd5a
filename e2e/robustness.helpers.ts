/**
 * Helpers for the robustness specs: broken and tiny data files served through
 * page.route (which, in this Chromium, also intercepts the training worker's
 * fetches), the worker's heap through CDP, and the page's own bookkeeping.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect, type Browser, type Page } from '@playwright/test';
import { status } from './helpers';

export const DATA_DIR = join(import.meta.dirname, '..', 'public', 'data', 'fashion-mnist');
export const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;
export type DataFile = (typeof FILES)[keyof typeof FILES];

export function realFile(name: DataFile): Buffer {
  return readFileSync(join(DATA_DIR, name));
}

export function idxImages(count: number, pixel: (i: number) => number = (i) => (i * 37) % 256): Buffer {
  const out = Buffer.alloc(16 + count * 784);
  out.writeUInt32BE(2051, 0);
  out.writeUInt32BE(count, 4);
  out.writeUInt32BE(28, 8);
  out.writeUInt32BE(28, 12);
  for (let i = 0; i < count * 784; i++) out[16 + i] = pixel(i);
  return out;
}

export function idxLabels(count: number, label: (i: number) => number = (i) => i % 10): Buffer {
  const out = Buffer.alloc(8 + count);
  out.writeUInt32BE(2049, 0);
  out.writeUInt32BE(count, 4);
  for (let i = 0; i < count; i++) out[8 + i] = label(i);
  return out;
}

/** A valid, tiny Fashion-MNIST look-alike: loads in milliseconds, for tests that do not train on it. */
export function tinyDataset(count = 100): Record<DataFile, Buffer> {
  return {
    [FILES.trainImages]: gzipSync(idxImages(count)),
    [FILES.trainLabels]: gzipSync(idxLabels(count)),
    [FILES.testImages]: gzipSync(idxImages(count)),
    [FILES.testLabels]: gzipSync(idxLabels(count)),
  } as Record<DataFile, Buffer>;
}

export async function serveDataset(page: Page, files: Partial<Record<DataFile, Buffer>>): Promise<void> {
  for (const [name, body] of Object.entries(files)) {
    await page.route(`**/data/fashion-mnist/${name}`, (route) =>
      route.fulfill({ status: 200, body, headers: { 'content-type': 'application/gzip' } }));
  }
}

export { gunzipSync, gzipSync };

/** The run's phase word as the status shows it ("Ready", "Training", …). */
export async function phase(page: Page): Promise<string> {
  return (await status(page).locator('.phase').innerText()).trim();
}

export function memoryReadout(page: Page) {
  return page.getByLabel('Worker memory');
}

/** "0 tensors, 0.0 MB on wasm" → { tensors: 0, megabytes: 0, backend: 'wasm' }. */
export async function readMemory(page: Page): Promise<{ tensors: number; megabytes: number; backend: string }> {
  await expect(memoryReadout(page)).toHaveText(/tensors?, [\d.]+ MB on \w+/);
  const text = await memoryReadout(page).innerText();
  const match = /([\d,]+) tensors?, ([\d.]+) MB on (\w+)/.exec(text)!;
  return { tensors: Number(match[1].replace(/,/g, '')), megabytes: Number(match[2]), backend: match[3] };
}

/** Collects what must never happen on a page: dialogs, uncaught errors, console errors. */
export function watchForTrouble(page: Page) {
  const trouble: string[] = [];
  page.on('dialog', (dialog) => {
    trouble.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => trouble.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.push(`console error: ${message.text()}`);
  });
  return trouble;
}

/** Just enough of a CDP session to take heap snapshots: the page's own, or the worker's through the browser. */
interface Inspector {
  send<T = unknown>(method: string): Promise<T>;
  /** Calls `handler` with the params of every `method` event; returns a function that stops it. */
  listen(method: string, handler: (params: { chunk: string }) => void): () => void;
  close(): Promise<void>;
}

async function pageInspector(page: Page): Promise<Inspector> {
  const cdp = await page.context().newCDPSession(page);
  return {
    send: <T>(method: string) => cdp.send(method as 'HeapProfiler.enable') as Promise<T>,
    listen: (method, handler) => {
      cdp.on(method as 'HeapProfiler.addHeapSnapshotChunk', handler);
      return () => cdp.off(method as 'HeapProfiler.addHeapSnapshotChunk', handler);
    },
    close: () => cdp.detach(),
  };
}

/**
 * The training worker's inspector, through the browser's CDP session
 * (Playwright opens CDP sessions on pages and frames only).
 */
async function workerInspector(browser: Browser): Promise<Inspector> {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const workers = targetInfos.filter((t) => t.type === 'worker' && t.url.includes('trainer.worker'));
  expect(workers, 'exactly one training worker').toHaveLength(1);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: workers[0].targetId, flatten: false });
  type Message = { id?: number; method?: string; params?: { chunk: string }; result?: unknown; error?: { message: string } };
  const subscribers = new Set<(message: Message) => void>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as Message;
    for (const subscriber of subscribers) subscriber(message);
  });
  let nextId = 0;
  return {
    send: <T>(method: string) => new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      const onReply = (message: Message) => {
        if (message.id !== id) return;
        subscribers.delete(onReply);
        if (message.error) reject(new Error(message.error.message));
        else resolve(message.result as T);
      };
      subscribers.add(onReply);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    }),
    listen: (method, handler) => {
      const onEvent = (message: Message) => {
        if (message.method === method && message.params) handler(message.params);
      };
      subscribers.add(onEvent);
      return () => subscribers.delete(onEvent);
    },
    close: async () => {
      await cdp.send('Target.detachFromTarget', { sessionId });
      await cdp.detach();
    },
  };
}

export interface HeapFigures {
  /** V8's own figure after a full GC: JS objects plus compiled code. */
  usedBytes: number;
  /**
   * Self sizes of the JS values in a heap snapshot (objects, closures, arrays,
   * strings, numbers, shapes), without compiled code, which V8 keeps adding
   * as it optimises hot functions, and without the browser's native objects.
   * What a leak in the app would grow.
   */
  jsObjectBytes: number;
  codeBytes: number;
}

const JS_VALUE_TYPES = new Set([
  'hidden', 'array', 'string', 'object', 'closure', 'regexp', 'number', 'concatenated string', 'sliced string',
  'symbol', 'bigint', 'object shape',
]);

async function heapFigures(inspector: Inspector): Promise<HeapFigures> {
  try {
    await inspector.send('HeapProfiler.enable');
    await inspector.send('HeapProfiler.collectGarbage');
    const { usedSize } = await inspector.send<{ usedSize: number }>('Runtime.getHeapUsage');
    const chunks: string[] = [];
    const stop = inspector.listen('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    await inspector.send('HeapProfiler.takeHeapSnapshot');
    stop();
    const snapshot = JSON.parse(chunks.join('')) as {
      snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
      nodes: number[];
    };
    const fields = snapshot.snapshot.meta.node_fields;
    const types = snapshot.snapshot.meta.node_types[0];
    const typeAt = fields.indexOf('type');
    const sizeAt = fields.indexOf('self_size');
    let jsObjectBytes = 0;
    let codeBytes = 0;
    for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
      const type = types[snapshot.nodes[i + typeAt]];
      const size = snapshot.nodes[i + sizeAt];
      if (JS_VALUE_TYPES.has(type)) jsObjectBytes += size;
      else if (type === 'code') codeBytes += size;
    }
    return { usedBytes: usedSize, jsObjectBytes, codeBytes };
  } finally {
    await inspector.close();
  }
}

export async function pageHeap(page: Page): Promise<HeapFigures> {
  return heapFigures(await pageInspector(page));
}

export async function workerHeap(browser: Browser): Promise<HeapFigures> {
  return heapFigures(await workerInspector(browser));
}

/** Elements in the page, leaving out those inside `except` (e.g. lists whose length depends on what a run learned). */
export async function domNodes(page: Page, except?: string): Promise<number> {
  // Each listed selector with everything inside it.
  const left = except?.split(',').map((one) => one.trim()).flatMap((one) => [one, `${one} *`]).join(', ');
  return page.evaluate((selector) => document.getElementsByTagName('*').length -
    (selector ? document.querySelectorAll(selector).length : 0), left);
}
