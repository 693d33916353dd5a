/**
 * What the benchmark measures and reports, shared by the bench worker, the
 * bench page, the Node runner and the script that drives them. Plain data.
 */
import type { GpuBackendName } from '../core/gpu/backend';
import type { ActiveBackend } from '../worker/protocol';

/** tfjs environment flags (tf.env().set), e.g. { WEBGL_EXP_CONV: true }. */
export type TfjsFlags = Record<string, boolean | number>;

export interface MeasureSettings {
  /** Timed training images per run (a multiple of `batch` keeps every step the same shape). */
  images: number;
  batch: number;
  /** Images trained before timing starts, for each method (kernel/shader compilation, heap growth). */
  warmup: number;
  /** Timed runs per method, alternating which goes first; figures are medians. */
  rounds: number;
}

/** The two timed training loops: the app's (core/train) and a plain tfjs `model.fit` loop. */
export type BenchMethod = 'ours' | 'fit';

/**
 * How the bench worker starts the backend:
 * - 'app': the app's way (chooseBackend: our training kernels, and
 *   WebAssembly threads on wasm); measures ours (see setupMethods).
 * - 'stock': tfjs as shipped, the way a tutorial starts it (on wasm one
 *   thread, SIMD, and only the minimal filter-gradient kernel of
 *   core/wasm/stockKernels.ts that tfjs lacks) and a network of tfjs-layers'
 *   own layers; measures model.fit only.
 */
export type BenchSetup = 'app' | 'stock';

/**
 * What each setup measures. model.fit with the app's setup (our kernels, and
 * threads on wasm) is timed on the CPU backends only: on a software GPU each
 * run costs many minutes.
 */
export function setupMethods(setup: BenchSetup, backend: ActiveBackend): readonly BenchMethod[] {
  if (setup === 'stock') return ['fit'];
  return backend === 'wasm' || backend === 'cpu' ? ['ours', 'fit'] : ['ours'];
}

export interface MeasureRequest extends MeasureSettings {
  backend: ActiveBackend;
  setup: BenchSetup;
  /**
   * Set after the app's setup starts the backend, to try a tuning against
   * the same baseline; 'stock' ignores them.
   */
  flags?: TfjsFlags;
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

/** Figures of the methods that ran (see MeasureInput.methods); the ratio only when both did. */
export interface MeasureResult {
  ours?: MethodFigures;
  fit?: MethodFigures;
  /** ours.imagesPerSecond / fit.imagesPerSecond, same worker */
  oursOverFit?: number;
  steps: number;
  tensorsBefore: number;
  /** After the methods ran, everything disposed; equal to tensorsBefore when nothing leaks. */
  tensorsAfter: number;
  /** Largest JS heap sample during the measurement; null where the runtime gives none. */
  peakHeapBytes: number | null;
  heapSamples: number;
}

export interface MeasureReply {
  requested: ActiveBackend;
  setup: BenchSetup;
  /** The backend that ran; differs from `requested` only when the requested one could not start. */
  backend: ActiveBackend;
  /** Why the requested backend is unavailable (then nothing was measured), or how it was started. */
  note: string | null;
  available: boolean;
  /** Seconds to download and decode the dataset in the worker (not part of any speed figure). */
  dataSeconds: number;
  result: MeasureResult | null;
}

/** Our GPU kernels against the backend's own on one shared convolution test case (core/kernels/testValues). */
export interface KernelCheck {
  name: string;
  /** Worst difference relative to the reference's largest value: forward output, filter and input gradients. */
  outputError: number;
  /** The same for relu(conv2d + bias) through FusedConv2D. */
  fusedOutputError: number;
  /** The same for its bias gradient (a Sum over images and positions). */
  biasError: number;
  filterError: number;
  /** The same for Conv2DBackpropFilter alone on another input, just after a forward pass (WebGL reuses the forward's patches). */
  otherInputFilterError: number;
  inputError: number;
  /** Largest |value| of the reference filter gradient (0 would make the comparison empty). */
  filterScale: number;
  tensorsLeaked: number;
}

export interface KernelCheckReply {
  backend: GpuBackendName;
  /** False when the backend does not start here; `note` says why. */
  available: boolean;
  note: string;
  cases: KernelCheck[];
  /** Patch matrices WebGL's kernels still hold after the cases and an inference-only convolution (should be 0). */
  patchesKept: number;
}

export interface BenchWorkerApi {
  measure(request: MeasureRequest, onLog: (line: string) => void): Promise<MeasureReply>;
  checkKernels(backend: GpuBackendName): Promise<KernelCheckReply>;
}

/** What bench.html puts on `window` for the driving script and the e2e tests. */
export interface BenchPageApi {
  measure(request: Omit<MeasureRequest, 'dataUrl'> & { dataUrl?: string }): Promise<MeasureReply>;
  /** Runs our GPU training kernels and the backend's own on the same inputs, in a fresh worker. */
  checkKernels(backend: GpuBackendName): Promise<KernelCheckReply>;
  userAgent: string;
}
