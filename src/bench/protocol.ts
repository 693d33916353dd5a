/**
 * What the benchmark measures and reports, shared by the bench worker, the
 * bench page, the Node runner and the script that drives them. Plain data.
 */
import type { ActiveBackend } from '../worker/protocol';

export interface MeasureSettings {
  /** Timed training images per run (a multiple of `batch` keeps every step the same shape). */
  images: number;
  batch: number;
  /** Images trained before timing starts, for each method (kernel/shader compilation, heap growth). */
  warmup: number;
  /** Timed runs per method, alternating which goes first; figures are medians. */
  rounds: number;
}

export interface MeasureRequest extends MeasureSettings {
  backend: ActiveBackend;
  /** Absolute URL of the folder holding the four Fashion-MNIST .gz files, ending in /. */
  dataUrl: string;
}

/** One method's speed: medians over rounds, plus every round's figure. */
export interface MethodFigures {
  imagesPerSecond: number;
  msPerStep: number;
  /** images/s of each round, in order. */
  roundsImagesPerSecond: number[];
  /** Wall time of the whole call (ours: upload + epoch + test pass; fit: the model.fit call), median. */
  wallSeconds: number;
  /** Running mean loss / accuracy over the last timed epoch: a sanity check that it trained. */
  trainLoss: number;
  trainAccuracy: number;
  /** Largest growth of tf.memory().numTensors across one timed run (0 when a run frees what it makes). */
  tensorsLeakedPerRun: number;
}

export interface MeasureResult {
  ours: MethodFigures;
  fit: MethodFigures;
  /** ours.imagesPerSecond / fit.imagesPerSecond */
  oursOverFit: number;
  steps: number;
  tensorsBefore: number;
  /** After both methods, everything disposed; equal to tensorsBefore when nothing leaks. */
  tensorsAfter: number;
  /** Largest JS heap sample during the measurement; null where the runtime gives none. */
  peakHeapBytes: number | null;
  heapSamples: number;
}

export interface MeasureReply {
  requested: ActiveBackend;
  /** The backend that ran; differs from `requested` only when the requested one could not start. */
  backend: ActiveBackend;
  /** Why the requested backend is unavailable (then nothing was measured), or backend details. */
  note: string | null;
  available: boolean;
  /** Seconds to download and decode the dataset in the worker (not part of any speed figure). */
  dataSeconds: number;
  result: MeasureResult | null;
}

export interface BenchWorkerApi {
  measure(request: MeasureRequest, onLog: (line: string) => void): Promise<MeasureReply>;
}

/** What bench.html puts on `window` for the driving script. */
export interface BenchPageApi {
  measure(request: Omit<MeasureRequest, 'dataUrl'> & { dataUrl?: string }): Promise<MeasureReply>;
  userAgent: string;
}
