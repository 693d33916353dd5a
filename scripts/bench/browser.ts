/**
 * Browser mode: builds the app (with bench.html) into a folder of its own,
 * serves it with `vite preview`, and drives headless Chromium with
 * Playwright: bench.html measures each backend in two fresh workers, one
 * after the other (the app's setup: ours, and on wasm model.fit; then tfjs as
 * shipped: model.fit), and a fresh browser opening the real app times the
 * cold start. Then, on the views backends, bench.html times the app's own
 * training worker with the inspection views' queries and without.
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser, type LaunchOptions, type Page } from '@playwright/test';
import playwrightConfig from '../../playwright.config';
import { presetConfig } from '../../src/core/config/params';
import type { BenchPageApi, BenchSetup, MeasureReply, MeasureRequest, ViewsReply, ViewsRequest } from '../../src/bench/protocol';
import { alternatingOrder } from '../../src/bench/viewsLoad';
import type { ActiveBackend } from '../../src/worker/protocol';
import { VIEWS_CONFIG, type BenchOptions } from './options';
import { runProcess, startProcess, stopProcess } from './processes';
import { flagsField, lineFrom, viewsLineFrom, type BenchLine, type ColdStart, type StockOutcome, type ViewsLine } from './report';
import { WorkerHeapSampler, type HeapPeak } from './workerHeap';

const ROOT = join(import.meta.dirname, '..', '..');
/** Not dist/: an e2e run elsewhere may be serving that one. */
export const BENCH_DIST = join(ROOT, 'node_modules', '.cache', 'lenet-bench', 'dist');
const TEST_IMAGES = 256;

type BenchWindow = Window & {
  lenetBench?: BenchPageApi;
  benchFirstRowAt?: number;
  benchFirstProgressAt?: number;
  benchTrainPressedAt?: number;
};

/** playwright.config.ts's Chromium (system binary, SwiftShader WebGPU/WebGL flags), plus precise heap figures. */
export function launchOptions(): LaunchOptions {
  const base = playwrightConfig.use?.launchOptions ?? {};
  return { ...base, headless: true, args: [...(base.args ?? []), '--enable-precise-memory-info'] };
}

function say(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

export async function buildApp(): Promise<void> {
  say(`building the app into ${BENCH_DIST}`);
  // `npm run build` runs prebuild (the dataset) first; output goes to stderr so stdout stays JSON.
  await runProcess('npm', ['run', 'build', '--', '--outDir', BENCH_DIST, '--emptyOutDir'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Preview {
  url: string;
  stop: () => Promise<void>;
}

/** `vite preview --port <free> --strictPort` on the bench build; resolves once it answers. */
export async function startPreview(): Promise<Preview> {
  const port = await freePort();
  const vite = join(createRequire(import.meta.url).resolve('vite/package.json'), '..', 'bin', 'vite.js');
  const child = startProcess(process.execPath, [vite, 'preview', '--outDir', BENCH_DIST, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopProcess(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}): ${output.join('').trim()}`);
    try {
      const response = await fetch(`${url}/bench.html`);
      if (response.ok) break;
      if (Date.now() > deadline) throw new Error(`vite preview answers ${response.status} for /bench.html: was bench.html built?`);
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`vite preview did not answer on ${url}: ${output.join('').trim()}`, { cause: error });
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  say(`serving ${BENCH_DIST} at ${url} (vite preview, pid ${child.pid})`);
  return { url, stop };
}

export async function openBenchPage(browser: Browser, url: string): Promise<{ page: Page; heap: WorkerHeapSampler }> {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('[bench')) process.stderr.write(`${text}\n`);
    else if (message.type() === 'error' || message.type() === 'warning') process.stderr.write(`[page ${message.type()}] ${text}\n`);
  });
  page.on('pageerror', (error) => process.stderr.write(`[page error] ${error.message}\n`));
  const heap = await WorkerHeapSampler.attach(page, (workerUrl) => workerUrl.includes('bench.worker'));
  await page.goto(`${url}/bench.html`);
  await page.waitForFunction(() => Boolean((window as BenchWindow).lenetBench), undefined, { timeout: 30_000 });
  return { page, heap };
}

async function measureOnPage(page: Page, request: Omit<MeasureRequest, 'dataUrl'>): Promise<MeasureReply> {
  return page.evaluate((req) => {
    const bench = (window as BenchWindow).lenetBench;
    if (!bench) throw new Error('bench.html did not load');
    return bench.measure(req);
  }, request);
}

async function measureViewsOnPage(page: Page, request: Omit<ViewsRequest, 'dataUrl'>): Promise<ViewsReply> {
  return page.evaluate((req) => {
    const bench = (window as BenchWindow).lenetBench;
    if (!bench) throw new Error('bench.html did not load');
    return bench.measureViews(req);
  }, request);
}

/** The views figure on one backend, in a fresh app worker on the bench page; never throws. */
async function viewsLine(page: Page, backend: ActiveBackend, options: BenchOptions, runtime: string): Promise<ViewsLine> {
  const base = { backend, runtime, tfjs: tf.version.tfjs, loadAverage: loadavg()[0], startedAt: new Date().toISOString() };
  const order = alternatingOrder(options.viewsRuns);
  say(`${backend}: views open against closed, ${order.length} runs (${order.join(', ')}) after a warm-up; ` +
    `queries: ${options.viewsKinds.join(', ')}…`);
  try {
    const reply = await measureViewsOnPage(page, {
      backend, config: { ...presetConfig('d2l'), ...VIEWS_CONFIG, backend }, order, kinds: options.viewsKinds, drawing: options.viewsDrawing,
    });
    return viewsLineFrom({ ...base, loadAverageAfter: loadavg()[0], cores: availableParallelism() }, reply);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    say(`${backend}: views figure failed (${message})`);
    return { figure: 'views', mode: 'browser', ...base, available: false, error: message };
  }
}

/**
 * A fresh browser (empty HTTP, code and shader caches) opens the real app,
 * presses Train as soon as it is enabled and waits for the first row of the
 * epoch table. Times are from navigation start (the page's performance.now()),
 * recorded in the page when the row appears, and when the "Epoch progress"
 * bar first goes above 0 (the first progress point: React sets a
 * <progress>'s value as an attribute, so a MutationObserver sees it).
 */
async function coldStart(url: string, backend: ActiveBackend, options: BenchOptions, timeoutMs: number): Promise<ColdStart> {
  const browser = await chromium.launch(launchOptions());
  try {
    const page = await (await browser.newContext()).newPage();
    await page.addInitScript(() => {
      const w = window as BenchWindow;
      document.addEventListener('click', (event) => {
        const button = (event.target as Element | null)?.closest?.('button');
        if (w.benchTrainPressedAt === undefined && button?.textContent?.trim() === 'Train') w.benchTrainPressedAt = performance.now();
      }, true);
      const observer = new MutationObserver(() => {
        const now = performance.now();
        if (w.benchFirstProgressAt === undefined) {
          const bar = document.getElementById('epoch-progress');
          if (bar instanceof HTMLProgressElement && bar.value > 0) w.benchFirstProgressAt = now;
        }
        if (w.benchFirstRowAt === undefined && document.querySelector('table tbody tr[data-epoch]')) w.benchFirstRowAt = now;
        if (w.benchFirstProgressAt !== undefined && w.benchFirstRowAt !== undefined) observer.disconnect();
      });
      observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['value'] });
    });
    page.on('pageerror', (error) => process.stderr.write(`[app error] ${error.message}\n`));
    const query = new URLSearchParams({ backend, train: String(options.images), test: String(TEST_IMAGES), epochs: '1' });
    if (options.batch !== 256) query.set('batch', String(options.batch));
    const appUrl = `${url}/?${query}`;
    await page.goto(appUrl, { waitUntil: 'commit' });
    await page.getByRole('button', { name: 'Train', exact: true }).click({ timeout: 60_000 });
    const rows = page.getByRole('table', { name: 'Epoch metrics' }).locator('tbody tr[data-epoch]');
    await rows.first().waitFor({ state: 'attached', timeout: timeoutMs });
    const times = await page.evaluate(() => {
      const w = window as BenchWindow;
      return { row: w.benchFirstRowAt ?? performance.now(), progress: w.benchFirstProgressAt ?? null, pressed: w.benchTrainPressedAt ?? null };
    });
    return {
      seconds: times.row / 1000,
      firstProgressSeconds: times.progress === null ? null : times.progress / 1000,
      ...(times.progress === null ? { firstProgressNote: 'the epoch progress bar was not seen above 0 before the first epoch row' } : {}),
      ...(times.pressed === null ? {} : { trainPressedSeconds: times.pressed / 1000 }),
      url: appUrl.replace(url, ''),
    };
  } finally {
    await browser.close();
  }
}

export async function runBrowserBench(
  options: BenchOptions, onLine: (line: BenchLine) => void | Promise<void>, onViews: (line: ViewsLine) => void = () => undefined,
): Promise<BenchLine[]> {
  if (options.build) await buildApp();
  const preview = await startPreview();
  const browser = await chromium.launch(launchOptions());
  const results: BenchLine[] = [];
  try {
    const runtime = `Chromium ${browser.version()}`;
    const speedBackends = options.viewsOnly ? [] : options.backends;
    say(`${runtime}, backends ${speedBackends.join(', ') || 'none'}, views figure on ${options.viewsBackends.join(', ') || 'none'}`);
    const { page, heap } = await openBenchPage(browser, preview.url);
    for (const backend of speedBackends) {
      const startedAt = new Date().toISOString();
      const base = {
        mode: 'browser' as const, backend, images: options.images, batch: options.batch, warmup: options.warmup,
        rounds: options.rounds, ...flagsField(options), runtime, tfjs: tf.version.tfjs, loadAverage: loadavg()[0], startedAt,
      };
      const settings = {
        backend, images: options.images, batch: options.batch, warmup: options.warmup, rounds: options.rounds, flags: options.flags,
      };
      /** One setup in a fresh worker, its heap sampled from outside. */
      const measure = async (setup: BenchSetup): Promise<{ reply: MeasureReply; heapPeak: HeapPeak }> => {
        heap.start();
        let reply: MeasureReply;
        let heapPeak: HeapPeak;
        try {
          reply = await measureOnPage(page, { ...settings, setup });
        } finally {
          heapPeak = await heap.stop();
        }
        return { reply, heapPeak };
      };
      const heapSource = (peak: HeapPeak) => `CDP Runtime.getHeapUsage of the bench worker, ${peak.samples} samples`;
      let line: BenchLine;
      try {
        say(`${backend}: measuring the app's setup…`);
        const app = await measure('app');
        let stock: StockOutcome | null = null;
        if (app.reply.available) {
          say(`${backend}: measuring tfjs as shipped (model.fit)…`);
          try {
            const { reply, heapPeak: peak } = await measure('stock');
            stock = {
              available: reply.available, note: reply.note, dataSeconds: reply.dataSeconds, result: reply.result,
              ...(reply.available ? { peakHeapBytes: peak.peakBytes, heapSource: heapSource(peak) } : {}),
            };
            if (!reply.available) say(`${backend}: tfjs as shipped unavailable (${reply.note})`);
          } catch (error) {
            stock = { available: false, note: null, error: error instanceof Error ? error.message : String(error), result: null };
            say(`${backend}: tfjs as shipped failed (${stock.error})`);
          }
        }
        line = lineFrom({ ...base, available: app.reply.available, note: app.reply.note, dataSeconds: app.reply.dataSeconds }, app.reply.result, stock);
        if (line.available) {
          line.peakHeapBytes = app.heapPeak.peakBytes;
          line.heapSource = heapSource(app.heapPeak);
        }
        if (!app.reply.available) say(`${backend}: unavailable (${app.reply.note})`);
      } catch (error) {
        line = { ...base, available: false, note: null, error: error instanceof Error ? error.message : String(error) };
        say(`${backend}: failed (${line.error})`);
      }
      if (options.coldStart && line.available && line.ours) {
        const expectedSeconds = options.images / line.ours.imagesPerSecond;
        const timeoutMs = Math.round(1000 * (120 + 4 * expectedSeconds));
        try {
          say(`${backend}: cold start in a fresh browser (the app, train=${options.images})…`);
          line.coldStart = await coldStart(preview.url, backend, options, timeoutMs);
          line.coldStartSeconds = line.coldStart.seconds;
        } catch (error) {
          const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
          line.coldStart = { error: message };
          line.coldStartSeconds = null;
          say(`${backend}: cold start failed (${message})`);
        }
      }
      results.push(line);
      await onLine(line);
    }
    for (const backend of options.viewsBackends) onViews(await viewsLine(page, backend, options, runtime));
  } finally {
    await browser.close();
    await preview.stop();
  }
  return results;
}
