/**
 * What the benchmark measures and reports, shared by the bench worker, the
 * bench page, the Node runner and the script that drives them. Plain data.
 */
import type { Config } from '../core/config/params';
import type { GpuBackendName } from '../kernels/shared/gpu';
import type { KernelComparison, WasmKernelSwitch } from './profile';
import type { WasmKernelCheckResult } from '../kernels/wasm/kernelCheck';

export type WasmKernelCheckReply = { available: boolean; note: string } & Partial<WasmKernelCheckResult>;
import type { StepCheckCase } from '../kernels/webgpu/compiled/stepCheckCases';
import type { ProfileResult } from './profile';
import type { EndEvent } from '../core/train/events';
import type { ActiveBackend, Query } from '../worker/protocol';

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

/**
 * The timed training loops: the app's (core/train; on WebGPU with the
 * compiled step), the app's loop on tfjs's WebGPU kernels (kernels=tfjs, the
 * path before the compiled step), and a plain tfjs `model.fit` loop.
 */
export type BenchMethod = 'ours' | 'tfjs-kernels' | 'fit';

/**
 * How the bench worker starts the backend:
 * - 'app': the app's way (chooseBackend: our training kernels, and
 *   WebAssembly threads on wasm); measures ours (see setupMethods).
 * - 'stock': tfjs as shipped, the way a tutorial starts it (on wasm one
 *   thread, SIMD, and only the minimal filter-gradient kernel of
 *   src/kernels/wasm/stockKernels.ts that tfjs lacks) and a network of tfjs-layers'
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
  if (backend === 'webgpu') return ['ours', 'tfjs-kernels'];
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
  /** Absolute URL of the folder holding each dataset's folder (…/data/), ending in /. */
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
  /**
   * Our loop only (null for model.fit): milliseconds per step on the training
   * thread, median over rounds. On a GPU backend that is encoding and
   * submitting the step, apart from waiting on the GPU; on a CPU backend, the step.
   */
  cpuMsPerStep: number | null;
  /** GPU compute dispatches per step (counted at GPUComputePassEncoder.dispatchWorkgroups); null off WebGPU and for model.fit. */
  dispatchesPerStep: number | null;
}

/** Figures of the methods that ran (see MeasureInput.methods); the ratio only when both did. */
export interface MeasureResult {
  ours?: MethodFigures;
  /** Our loop on tfjs's WebGPU kernels (WebGPU only). */
  tfjsKernels?: MethodFigures;
  fit?: MethodFigures;
  /** ours.imagesPerSecond / fit.imagesPerSecond, same worker */
  oursOverFit?: number;
  /** How ours trained on WebGPU: "compiled training step, …" or "tfjs kernels: <why>". */
  stepNote?: string;
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

/** Our GPU kernels against the backend's own on one shared convolution test case (src/kernels/shared/testValues.ts). */
export interface KernelCheck {
  name: string;
  /** Kernel calls of ours whose work the split budget changed, split or handed to tfjs's kernel (src/kernels/shared/gpu.ts). */
  budgetHits: number;
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
  /** The forward convolution alone, ours against tfjs's (FORWARD_ONLY_CASES: too large for the full comparison in CI). */
  forwardCases: { name: string; outputError: number }[];
  /** Patch matrices WebGL's kernels still hold after the cases and an inference-only convolution (should be 0). */
  patchesKept: number;
}

/** The compiled WebGPU step against tfjs's cpu backend (src/kernels/webgpu/compiled/stepCheck.ts). */
export interface StepCheckReply {
  /** False when WebGPU does not start here; `note` says why. */
  available: boolean;
  note: string;
  cases: StepCheckCase[];
}

/** A per-kernel profile of the app's loop (src/bench/profile.ts) with the app's setup of `backend`. */
export interface ProfileRequest {
  backend: ActiveBackend;
  batch: number;
  steps: number;
  /**
   * wasm: our training kernels to compare against, one at a time turned off
   * (WasmTrainingKernelOptions' switches), in rounds alternating with all on.
   */
  compare?: WasmKernelSwitch[];
  /** Layers in the link's grammar (src/core/config/arch.ts); the d2l preset's unless given. */
  arch?: string;
  /** Absolute URL of the folder holding each dataset's folder (…/data/), ending in /. */
  dataUrl: string;
}

export interface ProfileReply {
  backend: ActiveBackend;
  available: boolean;
  /** How the backend runs ("SIMD, 2 threads of 2 cores"), or why it could not start. */
  note: string | null;
  result: ProfileResult | null;
  /** With `compare`: the median step time with all our kernels, and with each switch off. */
  comparison?: KernelComparison;
}

export interface BenchWorkerApi {
  measure(request: MeasureRequest, onLog: (line: string) => void): Promise<MeasureReply>;
  profile(request: ProfileRequest): Promise<ProfileReply>;
  checkKernels(backend: GpuBackendName): Promise<KernelCheckReply>;
  checkCompiledStep(): Promise<StepCheckReply>;
  checkWasmKernels(): Promise<WasmKernelCheckReply>;
}

/** Whether the app's inspection views are open (querying the run's model) while a run trains. */
export type ViewsMode = 'closed' | 'open';

/** The query kinds the views send (Query in the worker protocol; a model export is a click, not a view). */
// run-samples is the same work as samples, on the run's data.
export type QueryKind = Exclude<Query['type'], 'export' | 'run-samples'>;
/** A query the views send. */
export type ViewQuery = Extract<Query, { type: QueryKind }>;

/**
 * "Views open against closed": runs of one config in the real app worker,
 * with and without the views' queries, alternating; see src/bench/viewsLoad.ts.
 */
export interface ViewsRequest {
  backend: ActiveBackend;
  /** The config of every run; its backend is replaced by `backend`. */
  config: Config;
  /** The timed runs' modes, in order (alternatingOrder gives closed, open, open, closed, …). */
  order: ViewsMode[];
  /** Untimed runs with the views closed before the timed ones (kernels, heap, JIT). Default 1. */
  warmupRuns?: number;
  /** Epochs at the start of each run that are not counted (the first has an extra read-back and no test-pass views yet). Default 1. */
  skipEpochs?: number;
  /** Only these kinds of the views' queries, to see what each costs; default all. */
  kinds?: QueryKind[];
  /** A learner drawing all through each open run: a prediction every DRAW_INTERVAL_MS, not only once a second. */
  drawing?: boolean;
  /** Absolute URL of the folder holding each dataset's folder (…/data/), ending in /. */
  dataUrl: string;
}

/** One query kind's traffic while the views were open. */
export interface QueryFigures {
  /** Asked for by the views. */
  requested: number;
  /** Sent to the worker: requested less those a newer request replaced while one of the kind was in flight. */
  sent: number;
  replaced: number;
  /** Answered with data. */
  answered: number;
  /** Answered 'unavailable' (no run or no test pass yet); `lastUnavailable` says why. */
  unavailable: number;
  /** Rejected (the worker threw). */
  failed: number;
  /** Round trip from sending to the answer, while training. */
  medianMs: number | null;
  maxMs: number | null;
  lastUnavailable?: string;
}

export type QueryFiguresByKind = Record<QueryKind, QueryFigures>;

export interface ViewsRun {
  runId: number;
  mode: ViewsMode;
  /** Untimed: the warm-up before the alternating runs. */
  warmup: boolean;
  /** `seconds` of every 'epoch' event, in order (epoch wall time with its test pass). */
  epochSeconds: number[];
  end: EndEvent['type'];
  /** Open runs only. */
  queries?: QueryFiguresByKind;
}

export interface ModeFigures {
  /** Median of the counted epochs' seconds. */
  medianEpochSeconds: number | null;
  /** Every counted epoch's seconds, run after run. */
  epochSeconds: number[];
  runs: number;
}

export interface ViewsReply {
  requested: ActiveBackend;
  /** The backend the runs trained on (from the worker's 'backend' event); null if none started. */
  backend: ActiveBackend | null;
  /** How it runs ("SIMD, 2 threads…") or why another one was chosen. */
  details: string | null;
  note: string | null;
  available: boolean;
  /** Seconds the worker took to load the dataset in prepare(). */
  dataSeconds: number | null;
  config: Config;
  warmupRuns: number;
  skipEpochs: number;
  /** The query kinds the open runs sent. */
  kinds: QueryKind[];
  runs: ViewsRun[];
  closed: ModeFigures;
  open: ModeFigures;
  /** open.medianEpochSeconds / closed.medianEpochSeconds. */
  openOverClosed: number | null;
  /**
   * The timed runs taken two by two (each pair one closed, one open, in
   * alternating order): per pair the open run's median epoch over the
   * closed one's. Steadier than the overall ratio when the machine's speed
   * drifts or jumps between runs.
   */
  pairRatios: number[];
  /** Median of pairRatios. */
  pairedOpenOverClosed: number | null;
  /** Summed over the timed open runs. */
  queries: QueryFiguresByKind;
  /** Median round trip of each kind, 20 in a row, on the idle worker after the runs (the last run's model); `ping` is Comlink's own. */
  idleQueryMs: Record<QueryKind | 'ping', number | null>;
  wallSeconds: number;
}

/** What bench.html puts on `window` for the driving script and the e2e tests. */
export interface BenchPageApi {
  measure(request: Omit<MeasureRequest, 'dataUrl'> & { dataUrl?: string }): Promise<MeasureReply>;
  /**
   * Times epochs of the real app worker (src/worker/trainer.worker.ts) with
   * the inspection views' queries and without, in a fresh worker.
   */
  measureViews(request: Omit<ViewsRequest, 'dataUrl'> & { dataUrl?: string }): Promise<ViewsReply>;
  /** Runs our GPU training kernels and the backend's own on the same inputs, in a fresh worker. */
  checkKernels(backend: GpuBackendName): Promise<KernelCheckReply>;
  /** Profiles the app's loop kernel by kernel, in a fresh worker. */
  profile(request: Omit<ProfileRequest, 'dataUrl'> & { dataUrl?: string }): Promise<ProfileReply>;
  /** Runs the compiled WebGPU step and tfjs's cpu backend on the same weights and rows, in a fresh worker. */
  checkCompiledStep(): Promise<StepCheckReply>;
  /** Runs our wasm kernels (relaxed SIMD, helper workers) and tfjs's cpu backend on the same values, in a fresh worker. */
  checkWasmKernels(): Promise<WasmKernelCheckReply>;
  userAgent: string;
}
