/**
 * The benchmark's worker: starts one backend the way the app's worker does
 * (chooseBackend: wasm paths and training kernels included), loads the
 * dataset and runs ./measure. The bench page spawns one per backend, so every
 * backend starts from a fresh worker and heap.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist } from '../core/data/fashionMnist';
import { chooseBackend, describeBackend } from '../worker/backends';
import { measureTraining } from './measure';
import type { BenchWorkerApi, MeasureReply, MeasureRequest } from './protocol';

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status} (run \`npm run data\`?)`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Chrome's non-standard performance.memory; precise only with --enable-precise-memory-info. */
function heapUsed(): number | null {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize?: number } }).memory;
  return typeof memory?.usedJSHeapSize === 'number' ? memory.usedJSHeapSize : null;
}

const api: BenchWorkerApi = {
  async measure(request: MeasureRequest, onLog: (line: string) => void): Promise<MeasureReply> {
    const log = (line: string) => {
      void onLog(line);
    };
    const dataStart = performance.now();
    const splits = await loadFashionMnist((name) => fetchBytes(new URL(name, request.dataUrl)));
    const dataSeconds = (performance.now() - dataStart) / 1000;
    log(`dataset ready in ${dataSeconds.toFixed(1)} s`);

    const choice = await chooseBackend(request.backend);
    if (choice.backend !== request.backend) {
      return {
        requested: request.backend, backend: choice.backend, available: false,
        note: choice.note, dataSeconds, result: null,
      };
    }
    const note = [choice.note, await describeBackend(choice.backend)].filter(Boolean).join('; ');
    log(`backend ${tf.getBackend()}: ${note}`);
    const result = await measureTraining({
      backend: request.backend, images: request.images, batch: request.batch, warmup: request.warmup,
      rounds: request.rounds, train: splits.train, test: splits.test, heapUsed, log,
    });
    return { requested: request.backend, backend: choice.backend, available: true, note, dataSeconds, result };
  },
};

Comlink.expose(api);
