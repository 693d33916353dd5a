import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeIdxImages, encodeIdxLabels, FASHION_MNIST_FILES } from '../core/data/idx';
import { DatasetStore, notHeld } from './dataset';
import type { OwnFile, WorkerEvent } from './protocol';

function idx(kind: 'images' | 'labels', count: number, first = 0): Uint8Array {
  if (kind === 'labels') return encodeIdxLabels(new Uint8Array(count));
  const pixels = new Uint8Array(count * 784);
  pixels[0] = first;
  return encodeIdxImages(pixels, count, 28, 28);
}

/** Serves each built-in folder's four files as raw IDX: `trainCount` training images, 2 test images. */
function serve(trainCount: Record<string, number>, failing = new Set<string>()) {
  const fetched: string[] = [];
  vi.stubGlobal('fetch', async (url: URL) => {
    const path = url.pathname;
    fetched.push(path);
    const [, , folder, name] = path.split('/');
    if (failing.has(folder)) return new Response('Not Found', { status: 404, statusText: 'Not Found' });
    const count = name.startsWith('t10k') ? 2 : trainCount[folder];
    return new Response(idx(name.includes('images') ? 'images' : 'labels', count).slice().buffer);
  });
  return fetched;
}

function ownFile(name: string, bytes: Uint8Array): OwnFile {
  return { name, bytes: bytes.slice().buffer };
}

const OWN = [ownFile('a', idx('images', 5, 42)), ownFile('b', idx('labels', 5)), ownFile('c', idx('images', 3)), ownFile('d', idx('labels', 3))];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('DatasetStore', () => {
  it('downloads each built-in dataset once, from its folder, and names it in data-ready', async () => {
    const fetched = serve({ 'fashion-mnist': 4, mnist: 6 });
    const store = new DatasetStore();
    store.setRootUrl('http://host/data/');
    const events: WorkerEvent[] = [];
    expect((await store.load('fashion', (event) => events.push(event))).train.count).toBe(4);
    expect((await store.load('mnist', (event) => events.push(event))).train.count).toBe(6);
    await store.load('fashion', (event) => events.push(event));
    expect(fetched).toEqual([
      ...Object.values(FASHION_MNIST_FILES).map((name) => `/data/fashion-mnist/${name}`),
      ...Object.values(FASHION_MNIST_FILES).map((name) => `/data/mnist/${name}`),
    ]);
    const ready = events.filter((event) => event.type === 'data-ready');
    expect(ready.map((event) => [event.dataset, event.trainImages, event.cached])).toEqual([
      ['fashion', 4, false], ['mnist', 6, false], ['fashion', 4, true],
    ]);
    expect(store.current('mnist')?.train.count).toBe(6);
  });

  it('keeps no failed load, and its error names the folder for `npm run data`', async () => {
    const failing = new Set(['mnist']);
    const fetched = serve({ mnist: 6 }, failing);
    const store = new DatasetStore();
    store.setRootUrl('http://host/data/');
    const events: WorkerEvent[] = [];
    await store.preload('mnist', (event) => events.push(event));
    expect(events.at(-1)).toEqual({
      type: 'error',
      message: 'MNIST digits could not be loaded. train-images-idx3-ubyte.gz: could not be downloaded (HTTP 404 Not Found). ' +
        'Press Train to try again; if it keeps failing, the server needs `npm run data` (it builds public/data/mnist/).',
    });
    expect(store.current('mnist')).toBeNull();
    failing.clear();
    expect((await store.load('mnist', () => undefined)).train.count).toBe(6);
    expect(fetched.length).toBe(5);
  });

  it('opens own files, replaces them with newer ones, and keeps the old ones on bad files', async () => {
    const store = new DatasetStore();
    expect(await store.load('own', () => undefined).catch((error: Error) => error.message)).toBe(notHeld('own'));
    const events: WorkerEvent[] = [];
    await store.preload('own', (event) => events.push(event));
    expect(events).toEqual([]);

    expect(await store.openOwn(OWN)).toEqual({ type: 'own-files', trainImages: 5, testImages: 3 });
    const first = store.current('own');
    expect(first?.train.images[0]).toBe(42);
    const newer = [ownFile('x', idx('images', 7)), ownFile('y', idx('labels', 7)), ...OWN.slice(2)];
    expect(await store.openOwn(newer)).toEqual({ type: 'own-files', trainImages: 7, testImages: 3 });
    expect(store.current('own')?.train.count).toBe(7);
    expect(first?.train.count).toBe(5);

    const bad = await store.openOwn(OWN.slice(0, 3));
    expect(bad.type).toBe('unavailable');
    expect(store.current('own')?.train.count).toBe(7);
    await store.preload('own', (event) => events.push(event));
    expect(events).toMatchObject([{ type: 'data-ready', dataset: 'own', trainImages: 7, cached: true }]);
  });
});
