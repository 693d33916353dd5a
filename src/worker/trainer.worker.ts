/**
 * The training worker's entry: wires the dataset, the backends, the runs and
 * the queries to the page through Comlink. All tfjs work of the app happens
 * in this worker, never on the page; each job lives in its own file.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, Config } from '../core/config/params';
import type { DatasetName } from '../core/data/datasets';
import type { EndEvent } from '../core/train/events';
import { BackendKeeper } from './backendKeeper';
import { DatasetStore } from './dataset';
import { holdLifeLock } from './liveness';
import type {
  ImportedModelFiles, ImportedModelReply, OwnFile, OwnFilesReply, Query, QueryReply, TrainerApi, UnavailableReply, WorkerEvent,
  WorkerMemory,
} from './protocol';
import { QueryAnswerer, transferables } from './queries';
import { RunSession } from './session';

/**
 * tfjs-layers caches the topological sort of every model it has applied, in
 * an LRU of 100 keyed by layer names, which are new for every model built: each
 * run's whole layer graph (layers, symbolic tensors, disposed variables) would
 * stay reachable for the next 99 runs. Runs build one model each; keep two.
 */
tf.env().set('TOPOLOGICAL_SORT_CACHE_MAX_ENTRIES', 2);

/** Tells the page it may free a callback it passed through Comlink (a no-op for plain functions). */
function release(callback: unknown): void {
  const remote = callback as { [Comlink.releaseProxy]?: () => void } | null;
  try {
    remote?.[Comlink.releaseProxy]?.();
  } catch {
    // Already released, or the page is gone.
  }
}

class Trainer implements TrainerApi {
  private readonly dataset = new DatasetStore();
  private readonly backends = new BackendKeeper();
  private readonly runs = new RunSession(this.dataset, this.backends);
  private readonly answerer = new QueryAnswerer(this.dataset, this.runs);

  async prepare(dataRootUrl: string, dataset: DatasetName, backend: BackendName, onEvent: (event: WorkerEvent) => void): Promise<void> {
    this.dataset.setRootUrl(dataRootUrl);
    // A failure here is reported by the run that needs the backend.
    this.backends.start(backend).catch(() => undefined);
    await this.loadDataset(dataset, onEvent);
  }

  async loadDataset(dataset: DatasetName, onEvent: (event: WorkerEvent) => void): Promise<void> {
    try {
      await this.dataset.preload(dataset, onEvent);
    } finally {
      release(onEvent);
    }
  }

  openOwnFiles(files: OwnFile[]): Promise<OwnFilesReply | UnavailableReply> {
    return this.dataset.openOwn(files);
  }

  async train(runId: number, config: Config, onEvent: (event: WorkerEvent) => void): Promise<EndEvent> {
    try {
      return await this.runs.train(runId, config, onEvent);
    } finally {
      release(onEvent);
    }
  }

  importModel(
    runId: number, files: ImportedModelFiles, dataset: DatasetName, testImages: number, backend: BackendName,
  ): Promise<ImportedModelReply | UnavailableReply> {
    return this.runs.importModel(runId, files, dataset, testImages, backend);
  }

  async query<Q extends Query>(query: Q): Promise<QueryReply<Q>> {
    const reply = await this.answerer.answer(query);
    return Comlink.transfer(reply, transferables(reply));
  }

  pause(): void {
    this.runs.pause();
  }

  resume(): void {
    this.runs.resume();
  }

  stop(): void {
    this.runs.stop();
  }

  async memory(): Promise<WorkerMemory> {
    const kept = this.runs.keptMemory();
    // Before any run no backend is set, and tf.memory() would start (or fail to start) the default one.
    const backend = tf.getBackend() ?? null;
    const { numTensors, numBytes } = backend === null ? { numTensors: 0, numBytes: 0 } : tf.memory();
    return {
      numTensors: numTensors - kept.tensors, numBytes: numBytes - kept.bytes, backend,
      keptModels: kept.models, keptTensors: kept.tensors, keptBytes: kept.bytes,
    };
  }

  holdLifeLock(name: string): Promise<boolean> {
    return holdLifeLock(name);
  }

  async ping(): Promise<'pong'> {
    return 'pong';
  }
}

Comlink.expose(new Trainer());
