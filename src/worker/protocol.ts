/**
 * The one contract between the page and the training worker. The worker
 * exposes TrainerApi through Comlink; events stream back through a proxied
 * callback, one small message each (never the whole history). Queries about
 * a run's model are answered with small typed arrays, transferred, never
 * tensors or the dataset.
 */
import type { Architecture } from '../core/config/arch';
import type { ActivationName, BackendName, Config, PoolingName } from '../core/config/params';
import type { DatasetName } from '../core/data/datasets';
import type { ImageActivations } from '../core/inspect/activations';
import type { ModelFiles } from '../core/model/modelFiles';
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
  dataset: DatasetName;
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

/** An image to ask about: one of the dataset's (by its index in that split) or a drawing. */
export type ImageSource =
  | { kind: 'train' | 'test'; index: number }
  /** 784 values in 0…1, row-major, white ink on black like the dataset. */
  | { kind: 'drawing'; pixels: Float32Array };

export type Query =
  /** `perClass` images of every class, in dataset order; needs no run. */
  | { type: 'samples'; dataset: DatasetName; split: 'train' | 'test'; perClass: number }
  /** The same, from the data run `runId` trained on (own files may have been replaced since): images to ask its model about. */
  | { type: 'run-samples'; runId: number; split: 'train' | 'test'; perClass: number }
  /** The test images of one confusion cell in the run's latest test pass, most confident first. */
  | { type: 'cell'; runId: number; trueClass: number; predictedClass: number; limit: number }
  /** The latest test pass's most confident wrong answers; null filters mean any class. */
  | { type: 'mistakes'; runId: number; trueClass: number | null; predictedClass: number | null; limit: number }
  /** Every conv and pool layer's output for one image, its probabilities and the first layer's kernels. */
  | { type: 'activations'; runId: number; image: ImageSource }
  /** The class probabilities for one image. */
  | { type: 'predict'; runId: number; image: ImageSource }
  /** The run's model in tfjs's own format, as it is now (also mid-run). */
  | { type: 'export'; runId: number };

/** Thumbnails with what is known of each; `pixels` holds 784 bytes per image, in order. */
export interface ImagesReply {
  type: 'images';
  split: 'train' | 'test';
  /** Dataset index of each image in its split. */
  indices: Int32Array;
  labels: Uint8Array;
  pixels: Uint8Array;
  /** From the run's latest test pass; absent for plain samples. */
  predicted?: Int32Array;
  confidence?: Float32Array;
  /** How many images matched, of which these are the first. */
  total: number;
}

export interface ActivationsReply extends ImageActivations {
  type: 'activations';
}

export interface PredictReply {
  type: 'probabilities';
  probabilities: Float32Array;
}

/** model.json and its weights file (see core/model/export.ts). */
export interface ModelFilesReply extends ModelFiles {
  type: 'model-files';
}

/** A file the learner picked for "Your own files", read on the page, checked in the worker. */
export interface OwnFile {
  name: string;
  bytes: ArrayBuffer;
}

/** Four files that make a dataset: its sizes. */
export interface OwnFilesReply {
  type: 'own-files';
  trainImages: number;
  testImages: number;
}

/** The two files of a model the learner imports, read on the page (see core/model/modelImport.ts); transfer `weights`. */
export interface ImportedModelFiles {
  /** model.json's text. */
  modelJson: string;
  /** model.weights.bin's bytes. */
  weights: ArrayBuffer;
}

/** An imported model, checked, built, evaluated and kept under its run id: every view can ask about it. */
export interface ImportedModelReply {
  type: 'imported';
  /** The network the file describes (per-layer initializers are null: the weights come from the file). */
  arch: Architecture;
  activation: ActivationName;
  pool: PoolingName;
  /** On the test images below, as an epoch's testAccuracy. */
  testAccuracy: number;
  /** The same test pass as counts, row = true class, column = predicted (10 × 10, row-major), as EpochEvent.confusion. */
  confusion: number[];
  /** How many test images it was evaluated on (at most the split's). */
  testImages: number;
  backend: ActiveBackend;
}

/** Why a query has no answer (no such run, its GPU is gone, no test pass yet), in words for the view. */
export interface UnavailableReply {
  type: 'unavailable';
  message: string;
}

interface ReplyOf {
  samples: ImagesReply;
  'run-samples': ImagesReply;
  cell: ImagesReply;
  mistakes: ImagesReply;
  activations: ActivationsReply;
  predict: PredictReply;
  export: ModelFilesReply;
}

export type QueryReply<Q extends Query = Query> = ReplyOf[Q['type']] | UnavailableReply;

export interface TrainerApi {
  /**
   * Downloads and decodes `dataset` from its folder under `dataRootUrl`
   * (absolute, ends in /, e.g. …/data/) unless the worker already holds it, and meanwhile starts `backend` (for
   * 'auto', measures which is fastest), so Train waits for neither. Call once
   * before train().
   */
  prepare(dataRootUrl: string, dataset: DatasetName, backend: BackendName, onEvent: (event: WorkerEvent) => void): Promise<void>;
  /**
   * Downloads and decodes a built-in dataset unless the worker holds it (the
   * Dataset control changed); a failure is an 'error' event. For 'own' it
   * only reports data-ready when files were opened.
   */
  loadDataset(dataset: DatasetName, onEvent: (event: WorkerEvent) => void): Promise<void>;
  /**
   * Decodes and checks four IDX files (gzip'd or raw) as the "own" dataset,
   * replacing earlier ones; the message of an unavailable reply names the bad file.
   */
  openOwnFiles(files: OwnFile[]): Promise<OwnFilesReply | UnavailableReply>;
  /**
   * Loads data if needed, picks the backend, trains; resolves with the run's
   * last event. `runId` names the run for queries: the worker keeps the model
   * of the run in progress and of the last one that ended, and frees older ones.
   */
  train(runId: number, config: Config, onEvent: (event: WorkerEvent) => void): Promise<EndEvent>;
  /**
   * Builds the model a learner imported (model.json + weights), checks it, evaluates it on `dataset`'s
   * test split (`testImages` of them) and keeps it under `runId` like a run's model, so every view can ask about it.
   */
  importModel(runId: number, files: ImportedModelFiles, dataset: DatasetName, testImages: number, backend: BackendName): Promise<ImportedModelReply | UnavailableReply>;
  /** Answers between training steps; never rejects for a gone model or a lost GPU: it says why instead. */
  query<Q extends Query>(query: Q): Promise<QueryReply<Q>>;
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
  /** Tensors besides the kept models' weights: 0 between runs unless something leaks. */
  numTensors: number;
  numBytes: number;
  backend: string | null;
  /** The models kept for queries, and their weights' tensors and bytes. */
  keptModels: number;
  keptTensors: number;
  keptBytes: number;
}
