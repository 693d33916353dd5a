/**
 * The training worker: a thin adapter that loads the dataset over fetch,
 * starts a backend and runs the core training loop, streaming its events.
 * All tfjs work of the app happens here, never on the page.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Config } from '../core/config/params';
import { DataFileError } from '../core/data/idx';
import { loadFashionMnist, type Splits } from '../core/data/fashionMnist';
import { buildModel } from '../core/model/build';
import type { EndEvent } from '../core/train/events';
import { trainModel } from '../core/train/train';
import { chooseBackend, type BackendChoice } from './backends';
import type { TrainerApi, WorkerEvent } from './protocol';

/** Progress messages per file at most this often. */
const PROGRESS_INTERVAL_MS = 50;

async function download(url: URL, fileName: string, onEvent: (event: WorkerEvent) => void): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DataFileError(fileName, `could not be downloaded (${error instanceof Error ? error.message : error})`);
  }
  if (!response.ok || !response.body) {
    throw new DataFileError(fileName, `could not be downloaded (HTTP ${response.status} ${response.statusText})`.trim());
  }
  const header = Number(response.headers.get('Content-Length'));
  const totalBytes = Number.isFinite(header) && header > 0 ? header : null;
  const chunks: Uint8Array[] = [];
  let loadedBytes = 0;
  let lastReport = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loadedBytes += value.byteLength;
    if (performance.now() - lastReport > PROGRESS_INTERVAL_MS) {
      lastReport = performance.now();
      onEvent({ type: 'data-progress', file: fileName, loadedBytes, totalBytes });
    }
  }
  onEvent({ type: 'data-progress', file: fileName, loadedBytes, totalBytes });
  const bytes = new Uint8Array(loadedBytes);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function errorMessage(error: unknown): string {
  if (error instanceof DataFileError) {
    return `The dataset could not be loaded. ${error.message}. Press Train to try again; ` +
      'if it keeps failing, the server needs `npm run data`.';
  }
  return error instanceof Error ? error.message : String(error);
}

class Trainer implements TrainerApi {
  private splits: Promise<Splits> | null = null;
  private autoChoice: BackendChoice | null = null;
  private abort: AbortController | null = null;
  private resumeRun: (() => void) | null = null;
  private pauseGate: Promise<void> | null = null;
  private dataBaseUrl: URL | null = null;
  /** The run in progress; a new run waits for it so two never share the backend. */
  private running: Promise<EndEvent> | null = null;

  async loadData(dataBaseUrl: string, onEvent: (event: WorkerEvent) => void): Promise<void> {
    this.dataBaseUrl = new URL(dataBaseUrl);
    try {
      await this.data(onEvent);
    } catch (error) {
      onEvent({ type: 'error', message: errorMessage(error) });
    }
  }

  private async data(onEvent: (event: WorkerEvent) => void): Promise<Splits> {
    const cached = this.splits !== null;
    const start = performance.now();
    const base = this.dataBaseUrl;
    if (!base) throw new Error('loadData() must be called before train()');
    if (!this.splits) {
      this.splits = loadFashionMnist((name) => download(new URL(name, base), name, onEvent));
      // A failed load is not kept: the next Train tries again.
      this.splits.catch(() => {
        this.splits = null;
      });
    }
    const splits = await this.splits;
    onEvent({
      type: 'data-ready', trainImages: splits.train.count, testImages: splits.test.count, cached,
      seconds: (performance.now() - start) / 1000,
    });
    return splits;
  }

  private async backend(requested: BackendName): Promise<BackendChoice> {
    if (requested === 'auto' && this.autoChoice) {
      await tf.setBackend(this.autoChoice.backend);
      return this.autoChoice;
    }
    const choice = await chooseBackend(requested);
    if (requested === 'auto') this.autoChoice = choice;
    return choice;
  }

  async train(config: Config, onEvent: (event: WorkerEvent) => void): Promise<EndEvent> {
    this.stop();
    const abort = new AbortController();
    this.abort = abort;
    const previous = this.running;
    const run = (async () => {
      await previous;
      return this.run(config, onEvent, abort);
    })();
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = null;
    }
  }

  private async run(config: Config, onEvent: (event: WorkerEvent) => void, abort: AbortController): Promise<EndEvent> {
    this.resume();
    try {
      const splits = await this.data(onEvent);
      const choice = await this.backend(config.backend);
      onEvent({ type: 'backend', backend: choice.backend, requested: config.backend, note: choice.note });
      if (abort.signal.aborted) {
        const stopped: EndEvent = { type: 'stopped', epoch: 0, step: 0, elapsedSeconds: 0 };
        onEvent(stopped);
        return stopped;
      }
      const model = buildModel(config);
      try {
        return await trainModel({
          model, config, train: splits.train, test: splits.test, onEvent, signal: abort.signal,
          waitWhilePaused: () => this.pauseGate ?? Promise.resolve(),
        });
      } finally {
        model.dispose();
      }
    } catch (error) {
      const end: EndEvent = { type: 'error', message: errorMessage(error) };
      onEvent(end);
      return end;
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  pause(): void {
    if (this.pauseGate) return;
    this.pauseGate = new Promise((resolve) => {
      this.resumeRun = resolve;
    });
  }

  resume(): void {
    this.resumeRun?.();
    this.resumeRun = null;
    this.pauseGate = null;
  }

  stop(): void {
    this.abort?.abort();
    this.resume();
  }

  async memory() {
    const { numTensors, numBytes } = tf.memory();
    return { numTensors, numBytes, backend: tf.getBackend() ?? null };
  }
}

Comlink.expose(new Trainer());
