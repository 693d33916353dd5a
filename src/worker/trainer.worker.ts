/**
 * The training worker: a thin adapter that loads the dataset over fetch,
 * starts a backend and runs the core training loop, streaming its events.
 * All tfjs work of the app happens here, never on the page.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Config } from '../core/config/params';
import { concatChunks } from '../core/data/bytes';
import { DataFileError, FASHION_MNIST_FILES } from '../core/data/idx';
import { IMAGE_SIZE } from '../core/model/architecture';
import { loadFashionMnist, type Splits } from '../core/data/fashionMnist';
import { buildModel } from '../core/model/build';
import type { EndEvent, TrainEvent } from '../core/train/events';
import { trainModel } from '../core/train/train';
import { chooseBackend, describeBackend, releaseLostReads, watchDeviceLoss, type BackendChoice } from './backends';
import type { ActiveBackend, TrainerApi, WorkerEvent, WorkerMemory } from './protocol';

/**
 * tfjs-layers caches the topological sort of every model it has applied, in
 * an LRU of 100 keyed by layer names, which are new for every model built: each
 * run's whole layer graph (layers, symbolic tensors, disposed variables) would
 * stay reachable for the next 99 runs. Runs build one model each; keep two.
 */
tf.env().set('TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES', 2);

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
  return concatChunks(chunks, loadedBytes);
}

/** Why a backend whose GPU was lost is not started again; shown in the status. */
const LOST_NOTE = 'its GPU was lost earlier in this session; reload the page to try it again';

const LABEL: Record<ActiveBackend, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

function isEnd(event: TrainEvent): event is EndEvent {
  return event.type === 'done' || event.type === 'stopped' || event.type === 'diverged' || event.type === 'error';
}

/** Tells the page it may free a callback it passed through Comlink (a no-op for plain functions). */
function release(callback: unknown): void {
  const remote = callback as { [Comlink.releaseProxy]?: () => void } | null;
  try {
    remote?.[Comlink.releaseProxy]?.();
  } catch {
    // Already released, or the page is gone.
  }
}

/** LeNet takes 28×28 images: a file of other images is a broken file, said when it loads, not at Train. */
function checkImageSize(splits: Splits): Splits {
  const images = [[splits.train, FASHION_MNIST_FILES.trainImages], [splits.test, FASHION_MNIST_FILES.testImages]] as const;
  for (const [split, name] of images) {
    if (split.rows !== IMAGE_SIZE || split.cols !== IMAGE_SIZE) {
      throw new DataFileError(name, `holds ${split.rows}×${split.cols} images; LeNet needs ${IMAGE_SIZE}×${IMAGE_SIZE}`);
    }
  }
  return splits;
}

function errorMessage(error: unknown): string {
  if (error instanceof DataFileError) {
    return `The dataset could not be loaded. ${error.message}. Press Train to try again; ` +
      'if it keeps failing, the server needs `npm run data`.';
  }
  return error instanceof Error ? error.message : String(error);
}

interface LossWatch {
  /** Why the GPU went away; null while it is there. */
  reason: string | null;
  /** The runs waiting to hear of it. */
  listeners: Set<(why: string) => void>;
}

class Trainer implements TrainerApi {
  private splits: Promise<Splits> | null = null;
  private autoChoice: BackendChoice | null = null;
  /** The backend start begun by prepare(); runs wait for it before starting theirs. */
  private startingBackend: Promise<unknown> = Promise.resolve();
  private abort: AbortController | null = null;
  private resumeRun: (() => void) | null = null;
  private pauseGate: Promise<void> | null = null;
  private dataBaseUrl: URL | null = null;
  /** The run in progress; a new run waits for it so two never share the backend. */
  private running: Promise<EndEvent> | null = null;
  /** GPU backends whose device or context was lost: never started again in this worker. */
  private readonly lostBackends = new Map<ActiveBackend, string>();
  /** One loss watcher per backend, made when it first runs. */
  private readonly lossWatchers = new Map<ActiveBackend, LossWatch>();

  async prepare(dataBaseUrl: string, backend: BackendName, onEvent: (event: WorkerEvent) => void): Promise<void> {
    this.dataBaseUrl = new URL(dataBaseUrl);
    // A failure here is reported by the run that needs the backend.
    this.startingBackend = this.backend(backend).catch(() => undefined);
    try {
      await this.data(onEvent);
    } catch (error) {
      onEvent({ type: 'error', message: errorMessage(error) });
    } finally {
      release(onEvent);
    }
  }

  private async data(onEvent: (event: WorkerEvent) => void): Promise<Splits> {
    const cached = this.splits !== null;
    const start = performance.now();
    const base = this.dataBaseUrl;
    if (!base) throw new Error('prepare() must be called before train()');
    if (!this.splits) {
      this.splits = loadFashionMnist((name) => download(new URL(name, base), name, onEvent)).then(checkImageSize);
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
    // Never two backend starts at once: they switch tfjs's one active backend.
    await this.startingBackend;
    if (requested === 'auto' && this.autoChoice && !this.lostBackends.has(this.autoChoice.backend)) {
      await tf.setBackend(this.autoChoice.backend);
      return this.autoChoice;
    }
    const choice = await chooseBackend(requested, { unavailable: this.lostBackends });
    if (requested === 'auto') this.autoChoice = choice;
    return choice;
  }

  /**
   * A promise for this run that resolves with a reason once `backend`'s GPU
   * is gone (never for wasm and cpu), and a dispose() for the end of the run.
   * Runs do not wait on the shared watcher itself: each would leave a
   * reaction on a promise that may never settle.
   */
  private deviceLoss(backend: ActiveBackend): { lost: Promise<string>; dispose(): void } {
    let watch = this.lossWatchers.get(backend);
    if (!watch) {
      const created: LossWatch = { reason: null, listeners: new Set() };
      watch = created;
      this.lossWatchers.set(backend, created);
      void watchDeviceLoss(backend).then((why) => {
        // Lost between runs counts too: the next run must not start on it.
        this.lostBackends.set(backend, LOST_NOTE);
        created.reason = why;
        for (const listener of created.listeners) listener(why);
        created.listeners.clear();
      });
    }
    const shared = watch;
    let listener: ((why: string) => void) | null = null;
    const lost = new Promise<string>((resolve) => {
      if (shared.reason !== null) resolve(shared.reason);
      else shared.listeners.add((listener = resolve));
    });
    return {
      lost,
      dispose: () => {
        if (listener) shared.listeners.delete(listener);
      },
    };
  }

  async train(config: Config, onEvent: (event: WorkerEvent) => void): Promise<EndEvent> {
    // Synchronously, before any await: a Pause sent right after this Train
    // applies to this run, and the previous run stops now.
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
      release(onEvent);
    }
  }

  /** One run. Emits exactly one end event, last, and resolves with it. */
  private async run(config: Config, onEvent: (event: WorkerEvent) => void, abort: AbortController): Promise<EndEvent> {
    let ended = false;
    let loss: { dispose(): void } | null = null;
    const emit = (event: WorkerEvent) => {
      if (!ended) onEvent(event);
    };
    const end = (event: EndEvent): EndEvent => {
      emit(event);
      ended = true;
      return event;
    };
    try {
      const splits = await this.data(emit);
      const choice = await this.backend(config.backend);
      emit({
        type: 'backend', backend: choice.backend, requested: config.backend, note: choice.note,
        details: await describeBackend(choice.backend),
      });
      if (abort.signal.aborted) return end({ type: 'stopped', epoch: 0, step: 0, elapsedSeconds: 0 });
      const watch = this.deviceLoss(choice.backend);
      loss = watch;
      const { lost } = watch;
      const model = buildModel(config);
      const training = trainModel({
        model, config, train: splits.train, test: splits.test, signal: abort.signal,
        // The end event is sent below, once it is known whether the GPU was lost.
        onEvent: (event) => {
          if (!isEnd(event)) emit(event);
        },
        waitWhilePaused: () => this.pauseGate ?? Promise.resolve(),
      }).finally(() => {
        try {
          model.dispose();
        } catch {
          // A lost GPU context may refuse even this.
        }
      });
      // A lost WebGL context leaves tfjs waiting forever on a read-back: do not wait with it.
      let outcome = await Promise.race([training, lost]);
      const gpu = choice.backend === 'webgpu' || choice.backend === 'webgl';
      if (gpu && typeof outcome !== 'string' && outcome.type === 'error') {
        // A lost WebGPU device makes the read-back fail just before `lost` resolves.
        const why = await Promise.race([lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), 250))]);
        if (why !== null) outcome = why;
      }
      if (typeof outcome === 'string') {
        abort.abort();
        releaseLostReads(choice.backend);
        this.lostBackends.set(choice.backend, LOST_NOTE);
        if (this.autoChoice?.backend === choice.backend) this.autoChoice = null;
        return end({
          type: 'error',
          message: `The run stopped: ${outcome}. The charts keep what it learned; the next run uses another ` +
            `backend than ${LABEL[choice.backend]}.`,
        });
      }
      return end(outcome);
    } catch (error) {
      return end({ type: 'error', message: errorMessage(error) });
    } finally {
      loss?.dispose();
      if (this.abort === abort) this.abort = null;
    }
  }

  pause(): void {
    // Nothing to pause, or a Stop is already on its way: a pause now would hold the stop back.
    if (!this.abort || this.abort.signal.aborted || this.pauseGate) return;
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

  async memory(): Promise<WorkerMemory> {
    // Before any run no backend is set, and tf.memory() would start (or fail to start) the default one.
    const backend = tf.getBackend() ?? null;
    if (backend === null) return { numTensors: 0, numBytes: 0, backend };
    const { numTensors, numBytes } = tf.memory();
    return { numTensors, numBytes, backend };
  }

  async holdLifeLock(name: string): Promise<boolean> {
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    if (!locks) return false;
    return new Promise<boolean>((held, failed) => {
      // The callback's promise never settles: the lock goes only with the worker.
      locks.request(name, () => {
        held(true);
        return new Promise<never>(() => undefined);
      }).catch(failed);
    });
  }

  async ping(): Promise<'pong'> {
    return 'pong';
  }
}

Comlink.expose(new Trainer());
