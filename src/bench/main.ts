/**
 * bench.html: no React, no app. Puts `window.lenetBench` on the page for
 * scripts/bench.ts, which calls measure() through Playwright once per backend
 * and setup (the app's, then tfjs as shipped) and measureViews() (the app's
 * own training worker with the inspection views' queries and without), and
 * for the e2e tests, which call checkKernels(). Each call runs in a fresh
 * worker that is terminated afterwards.
 */
import * as Comlink from 'comlink';
import type { TrainerApi } from '../worker/protocol';
import type { BenchPageApi, BenchWorkerApi, ViewsReply } from './protocol';
import { measureViews } from './viewsLoad';

const DATA_URL = new URL('data/', document.baseURI).href;
const status = document.getElementById('status');

function show(text: string): void {
  if (status) status.textContent = text;
}

const workerName = (label: string) => `bench-${label.replace(/ /g, '-')}`;

/** Runs `task` against a fresh bench worker, which is terminated afterwards; rejects if the worker crashes. */
function inFreshWorker<T>(label: string, task: (remote: Comlink.Remote<BenchWorkerApi>) => Promise<T>): Promise<T> {
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: workerName(label) });
  return inWorker(worker, label, task);
}

/** Runs `task` against `worker`, which is terminated afterwards; rejects if the worker crashes. */
async function inWorker<Api, T>(worker: Worker, label: string, task: (remote: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
  const remote = Comlink.wrap<Api>(worker);
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      reject(new Error(`the bench worker crashed (${event.message || 'unknown error'})`));
    });
  });
  show(`${label}: starting`);
  try {
    return await Promise.race([task(remote), crashed]);
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
    show(`${label}: finished`);
  }
}

const api: BenchPageApi = {
  userAgent: navigator.userAgent,
  measure(request) {
    const label = `${request.backend} ${request.setup}`;
    const onLog = Comlink.proxy((line: string) => {
      show(`${label}: ${line}`);
      console.log(`[bench ${label}] ${line}`);
    });
    return inFreshWorker(label, (remote) => remote.measure({ ...request, dataUrl: request.dataUrl ?? DATA_URL }, onLog));
  },
  measureViews(request) {
    const label = `${request.backend} views`;
    // The app's own training worker, built as the app builds it.
    const worker = new Worker(new URL('../worker/trainer.worker.ts', import.meta.url), { type: 'module', name: workerName(label) });
    const log = (line: string) => {
      show(`${label}: ${line}`);
      console.log(`[bench ${label}] ${line}`);
    };
    return inWorker<TrainerApi, ViewsReply>(worker, label, (remote) =>
      measureViews(remote, { ...request, dataUrl: request.dataUrl ?? DATA_URL }, { callback: Comlink.proxy, log }));
  },
  checkKernels(backend) {
    return inFreshWorker(`${backend} kernel check`, (remote) => remote.checkKernels(backend));
  },
  profile(request) {
    return inFreshWorker(`${request.backend} profile`, (remote) => remote.profile({ ...request, dataUrl: request.dataUrl ?? DATA_URL }));
  },
  checkCompiledStep() {
    return inFreshWorker('compiled step check', (remote) => remote.checkCompiledStep());
  },
  checkWasmKernels() {
    return inFreshWorker('wasm kernel check', (remote) => remote.checkWasmKernels());
  },
};

(window as Window & { lenetBench?: BenchPageApi }).lenetBench = api;
document.documentElement.dataset.benchReady = 'true';
show('ready');
