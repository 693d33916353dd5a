/**
 * The one way this project starts a tfjs backend: the app's worker
 * (src/worker/backends.ts), the benchmark's worker (src/bench/bench.worker.ts),
 * and under Node the CLI trainer, the unit tests and the benchmark's children
 * (scripts/lib/node.ts). `prepareBackend` loads the backend's package where
 * it must be loaded first, applies that backend's settings, registers our
 * training kernels (or puts tfjs's own back: 'as-shipped', the benchmark's
 * baseline), then makes it tfjs's active backend.
 *
 * What differs between a browser and Node comes in `environment`, from the
 * caller: the bundler's wasm URLs and the core count in the browser, Dawn's
 * installer under Node.
 *
 * The kernels themselves, one folder per backend: ./wasm, ./cpu, ./webgl,
 * ./webgpu, and what several share in ./shared.
 */
import * as tf from '@tensorflow/tfjs';
import type { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../core/config/params';
import { registerCpuTrainingKernels, unregisterCpuTrainingKernels } from './cpu/trainingKernels';
import { registerStockConv2DBackpropFilter, unregisterStockConv2DBackpropFilter } from './wasm/stockKernels';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './wasm/trainingKernels';
import { configureSimdThreads, simdHelpersPossible } from './wasm/simd/simdModule';
import { registerWebGLTrainingKernels, unregisterWebGLTrainingKernels } from './webgl/trainingKernels';
import { registerWebGPUTrainingKernels, unregisterWebGPUTrainingKernels } from './webgpu/trainingKernels';

/** A tfjs backend this project runs on ('auto' resolved). */
export type ActiveBackend = Exclude<BackendName, 'auto'>;

/**
 * 'ours': our training kernels, as the app runs. 'as-shipped': tfjs's own
 * kernels, as a tutorial would run it (the benchmark's baseline); on wasm plus
 * the minimal Conv2DBackpropFilter that tfjs-backend-wasm lacks
 * (./wasm/stockKernels.ts), without which model.fit cannot train a conv net.
 */
export type KernelChoice = 'ours' | 'as-shipped';

export interface PrepareOptions {
  kernels: KernelChoice;
  /**
   * Asks for the compiled WebGPU training step (./webgpu/compiled); only
   * 'webgpu' with our kernels has one. Carried into PreparedBackend.
   */
  compiledStep?: boolean;
}

/** tfjs-backend-wasm's binaries: a folder, or each file's own URL (a bundler renames them). */
export type WasmPaths = Parameters<typeof setWasmPaths>[0];

/** What the caller's platform gives; everything optional. */
export interface BackendEnvironment {
  /** Where tfjs-backend-wasm finds its .wasm files (Node finds them by itself). */
  wasmPaths?: WasmPaths;
  /**
   * The machine's logical cores (navigator.hardwareConcurrency): WebAssembly
   * with our kernels runs that many threads, at most WASM_MAX_THREADS (for
   * our kernels where helper workers can share tfjs's heap, else for
   * tfjs's). Unset: tfjs's own choice (half the cores; none under Node).
   */
  wasmThreads?: number;
  /**
   * Gives this thread a `navigator.gpu` where it has none (Node: Dawn, see
   * scripts/lib/node.ts) and returns the adapter's description; throws where
   * there is none. Called before tfjs-backend-webgpu is imported: that
   * package registers its backend on import only where navigator.gpu exists.
   */
  installWebGpu?: () => Promise<string>;
}

export interface PreparedBackend {
  backend: ActiveBackend;
  kernels: KernelChoice;
  /** options.compiledStep, where the compiled WebGPU step applies ('webgpu', our kernels). */
  compiledStep: boolean;
  /** The adapter environment.installWebGpu described; null where it was not called. */
  adapter: string | null;
}

/** The most threads tfjs-backend-wasm's thread pool takes. */
export const WASM_MAX_THREADS = 8;

/** An error's message, cut short for a status line. */
export function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Whether the compiled WebGPU step applies to `name` with these options. */
export function compiledStepFor(name: ActiveBackend, options: PrepareOptions): boolean {
  return options.compiledStep === true && name === 'webgpu' && options.kernels === 'ours';
}

/**
 * Registers our training kernels for `name`, replacing the backend's own
 * where ours are faster or where it has none. Idempotent; other backends are
 * untouched. Call it after the backend's package is imported (importing it
 * later puts the package's kernels back): prepareBackend does both.
 */
export function registerTrainingKernels(name: ActiveBackend): void {
  switch (name) {
    case 'wasm':
      // tfjs's own kernels under ours, not the as-shipped baseline's.
      unregisterStockConv2DBackpropFilter();
      registerWasmTrainingKernels();
      break;
    case 'cpu':
      registerCpuTrainingKernels();
      break;
    case 'webgl':
      registerWebGLTrainingKernels();
      break;
    case 'webgpu':
      registerWebGPUTrainingKernels();
      break;
  }
}

/** Puts `name`'s own kernels back (on wasm without any Conv2DBackpropFilter). For the kernel check and 'as-shipped'. */
export function unregisterTrainingKernels(name: ActiveBackend): void {
  switch (name) {
    case 'wasm':
      unregisterWasmTrainingKernels();
      break;
    case 'cpu':
      unregisterCpuTrainingKernels();
      break;
    case 'webgl':
      unregisterWebGLTrainingKernels();
      break;
    case 'webgpu':
      unregisterWebGPUTrainingKernels();
      break;
  }
}

type GpuLike = { requestAdapter(): Promise<unknown> };

function navigatorGpu(): GpuLike | undefined {
  return (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
}

/**
 * Makes sure WebGPU can start here, then imports tfjs-backend-webgpu
 * (already imported by a page's bundle: the same module). Returns the
 * installer's adapter description.
 */
async function loadWebGpu(environment: BackendEnvironment): Promise<string | null> {
  let adapter: string | null = null;
  if (environment.installWebGpu) {
    // It found an adapter, or threw saying what is missing.
    adapter = await environment.installWebGpu();
  } else {
    const gpu = navigatorGpu();
    if (!gpu) throw new Error('not supported by this browser');
    // tfjs crashes at setup without an adapter, so ask first.
    if (!(await gpu.requestAdapter())) throw new Error('no adapter');
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  return adapter;
}

/** tfjs-backend-wasm's settings for this setup; imports the package (it registers the backend and its kernels). */
async function loadWasm(kernels: KernelChoice, environment: BackendEnvironment): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (kernels === 'ours') {
    // tfjs starts with half the cores; training is compute-bound, so use
    // them all (scripts/vite/wasmThreadsPlugin.ts lifts tfjs's own cap in the
    // browser build). Threads need cross-origin isolation; without it tfjs
    // runs single-threaded SIMD. Where helper workers can share tfjs's heap,
    // our kernels (most of a step) get the threads and tfjs's own kernels
    // keep one: tfjs's thread pool spins between its kernels, and with both
    // a LeNet step took 10–25% longer (npm run profile -- --compare=…).
    if (environment.wasmThreads !== undefined) {
      const threads = Math.max(1, Math.min(Math.floor(environment.wasmThreads) || 1, WASM_MAX_THREADS));
      const ours = threads > 1 && simdHelpersPossible();
      configureSimdThreads(ours ? threads : 1);
      wasm.setThreadsCount(ours ? 1 : threads);
    }
  } else {
    // A tutorial's bundle gets no WebAssembly threads (they need a
    // cross-origin isolated page and the threaded build surviving the
    // bundler), so tfjs as shipped runs its single-threaded SIMD build
    // (under Node it has none anyway). A process-wide flag: start 'ours' on
    // wasm in a fresh worker or process after this.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  if (environment.wasmPaths !== undefined) wasm.setWasmPaths(environment.wasmPaths);
}

/** Whether tfjs-backend-webgl's context is there and lost. */
function webglContextLost(): boolean {
  const backend = tf.findBackend('webgl') as unknown as { gpgpu?: { gl?: { isContextLost(): boolean } } } | null;
  return backend?.gpgpu?.gl?.isContextLost() ?? false;
}

/**
 * Makes `name` tfjs's active backend with our training kernels
 * (`kernels: 'ours'`) or tfjs's own ('as-shipped'), and that backend's
 * settings:
 * - webgl: SOFTWARE_WEBGL_ENABLED (else tfjs refuses a software renderer;
 *   the app's 'auto' probe keeps it from choosing a slow one);
 * - wasm: environment.wasmPaths; with our kernels environment.wasmThreads
 *   threads, as shipped no threads and only the minimal Conv2DBackpropFilter;
 * - webgpu: environment.installWebGpu, or else an adapter check (tfjs crashes
 *   at setup without an adapter);
 * - cpu: nothing.
 * Throws with a short reason when the backend cannot start.
 */
export async function prepareBackend(
  name: ActiveBackend,
  options: PrepareOptions,
  environment: BackendEnvironment = {},
): Promise<PreparedBackend> {
  const { kernels } = options;
  let adapter: string | null = null;
  switch (name) {
    case 'webgpu':
      adapter = await loadWebGpu(environment);
      break;
    case 'wasm':
      await loadWasm(kernels, environment);
      break;
    case 'webgl':
      tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      break;
    case 'cpu':
      break;
  }
  if (kernels === 'ours') {
    registerTrainingKernels(name);
  } else {
    unregisterTrainingKernels(name);
    // tfjs-backend-wasm has no Conv2DBackpropFilter: without one, model.fit cannot train a conv net.
    if (name === 'wasm') registerStockConv2DBackpropFilter();
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new Error(shortReason(error), { cause: error });
  }
  if (!ok) throw new Error('failed to start');
  await tf.ready();
  if (name === 'webgl' && webglContextLost()) throw new Error('its context is lost');
  return { backend: name, kernels, compiledStep: compiledStepFor(name, options), adapter };
}
