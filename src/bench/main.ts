/**
 * bench.html: no React, no app. Puts `window.lenetBench` on the page for
 * scripts/bench.ts, which calls measure() once per backend through
 * Playwright. Each call runs in a fresh worker that is terminated afterwards.
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
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: `bench-${request.backend}` });
    const remote = Comlink.wrap<BenchWorkerApi>(worker);
    const crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        reject(new Error(`the bench worker crashed (${event.message || 'unknown error'})`));
      });
    });
    const onLog = Comlink.proxy((line: string) => {
      show(`${request.backend}: ${line}`);
      console.log(`[bench ${request.backend}] ${line}`);
    });
    show(`${request.backend}: starting`);
    try {
      return await Promise.race([remote.measure({ ...request, dataUrl: request.dataUrl ?? DATA_URL }, onLog), crashed]);
    } finally {
      remote[Comlink.releaseProxy]();
      worker.terminate();
      show(`${request.backend}: finished`);
    }
  },
};

(window as Window & { lenetBench?: BenchPageApi }).lenetBench = api;
document.documentElement.dataset.benchReady = 'true';
show('ready');
