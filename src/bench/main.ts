/**
 * bench.html: no React, no app. Puts `window.lenetBench` on the page for
 * scripts/bench.ts, which calls measure() through Playwright once per backend
 * and setup (the app's, then tfjs as shipped). Each call runs in a fresh
 * worker that is terminated afterwards.
 */
import * as Comlink from 'comlink';
import type { BenchPageApi, BenchWorkerApi, MeasureReply } from './protocol';

const DATA_URL = new URL('data/fashion-mnist/', document.baseURI).href;
const status = document.getElementById('status');

function show(text: string): void {
  if (status) status.textContent = text;
}

const api: BenchPageApi = {
  userAgent: navigator.userAgent,
  async measure(request): Promise<MeasureReply> {
    const label = `${request.backend} ${request.setup}`;
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: `bench-${request.backend}-${request.setup}` });
    const remote = Comlink.wrap<BenchWorkerApi>(worker);
    const crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        reject(new Error(`the bench worker crashed (${event.message || 'unknown error'})`));
      });
    });
    const onLog = Comlink.proxy((line: string) => {
      show(`${label}: ${line}`);
      console.log(`[bench ${label}] ${line}`);
    });
    show(`${label}: starting`);
    try {
      return await Promise.race([remote.measure({ ...request, dataUrl: request.dataUrl ?? DATA_URL }, onLog), crashed]);
    } finally {
      remote[Comlink.releaseProxy]();
      worker.terminate();
      show(`${label}: finished`);
    }
  },
};

(window as Window & { lenetBench?: BenchPageApi }).lenetBench = api;
document.documentElement.dataset.benchReady = 'true';
show('ready');
