/**
 * The one contract between the page and the training worker. The worker
 * exposes TrainerApi through Comlink; events stream back through a proxied
 * callback, one small message each (never the whole history).
 */
import type { BackendName, Config } from '../core/config/params';
import type { EndEvent, TrainEvent } from '../core/train/events';

/** A backend that actually runs (never 'auto'). */
export type ActiveBackend = Exclude<BackendName, 'auto'>;

export interface DataProgressEvent {
  type: 'data-progress';
  file: string;
  loadedBytes: number;
  /** From Content-Length; null when the server did not say. */
  totalBytes: number | null;
}

export interface DataReadyEvent {
  type: 'data-ready';
  trainImages: number;
  testImages: number;
  /** True when the worker already held the dataset from an earlier run. */
  cached: boolean;
  seconds: number;
}

export interface BackendEvent {
  type: 'backend';
  backend: ActiveBackend;
  requested: BackendName;
  /** Why the requested (or a faster) backend is not the one in use; shown to the user. */
  note: string | null;
  /** What it computes on: "SIMD, 2 threads of 2 cores", a GPU renderer or adapter. */
  details: string;
}

export type WorkerEvent = DataProgressEvent | DataReadyEvent | BackendEvent | TrainEvent;

export interface TrainerApi {
  /**
   * Downloads and decodes the dataset from `dataBaseUrl` (absolute, ends in /)
   * unless the worker already holds it, and meanwhile starts `backend` (for
   * 'auto', measures which is fastest), so Train waits for neither. Call once
   * before train().
   */
  prepare(dataBaseUrl: string, backend: BackendName, onEvent: (event: WorkerEvent) => void): Promise<void>;
  /** Loads data if needed, picks the backend, trains; resolves with the run's last event. */
  train(config: Config, onEvent: (event: WorkerEvent) => void): Promise<EndEvent>;
  pause(): void;
  resume(): void;
  /** Ends the current run after the step in progress. */
  stop(): void;
  /** tfjs bookkeeping: the page shows it after each run, tests and the benchmark check it for leaks. */
  memory(): Promise<WorkerMemory>;
  /**
   * Takes the Web Lock `name` and holds it for the worker's whole life;
   * resolves true once it is held, false where Web Locks are missing. The
   * browser frees the lock when the worker ends in any way (crash, close(),
   * terminate()), so the page learns of a silent death by asking for it.
   */
  holdLifeLock(name: string): Promise<boolean>;
  /** Answers as soon as the worker's event loop is free; a liveness check where Web Locks are missing. */
  ping(): Promise<'pong'>;
}

export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  backend: string | null;
}
