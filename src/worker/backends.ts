/**
 * Starting a tfjs backend in the worker, with fallbacks and a measured choice
 * for 'auto'. Names like "SwiftShader" are not trusted: a short matrix
 * multiply probe decides whether a GPU backend beats WebAssembly here. Each
 * start is src/kernels/prepareBackend.ts with our training kernels and the
 * browser's environment (browserEnvironment below).
 */
import * as tf from '@tensorflow/tfjs';
// Both packages register their backend and kernels on import; prepareBackend
// imports them too (the same modules by then), before it registers ours.
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { simdThreads } from '../kernels/wasm/simd/simdModule';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from '../core/config/params';
import { compiledStepFor, prepareBackend, shortReason as reason } from '../kernels/prepareBackend';
import type { BackendEnvironment, PrepareOptions } from '../kernels/prepareBackend';
import type { ActiveBackend } from './protocol';

/** tfjs-backend-wasm's three binaries as the bundler emits them, for setWasmPaths. */
export const WASM_BINARY_URLS = {
  'tfjs-backend-wasm.wasm': wasmPlainUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
};

/** What prepareBackend needs from a page or worker: the emitted wasm binaries and the core count. */
export function browserEnvironment(): BackendEnvironment {
  return { wasmPaths: WASM_BINARY_URLS, wasmThreads: navigator.hardwareConcurrency || 1 };
}

const FALLBACK_ORDER: ActiveBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** A GPU backend must beat WebAssembly's probe by this factor to be chosen automatically. */
const GPU_ADVANTAGE = 1.5;
const PROBE_SIZE = 384;

export interface BackendChoice {
  backend: ActiveBackend;
  note: string | null;
  /** Whether the compiled WebGPU training step applies (see PreparedBackend.compiledStep). */
  compiledStep: boolean;
}

export interface ChooseOptions {
  /** Backends not to start, with the reason shown to the user (e.g. a GPU lost earlier). */
  unavailable?: ReadonlyMap<ActiveBackend, string>;
  /** Ask for the compiled WebGPU training step (PrepareOptions.compiledStep). */
  compiledStep?: boolean;
}

/** The WebGL context tfjs draws with, where tfjs-backend-webgl is the one running. */
function webglContext(): WebGL2RenderingContext | WebGLRenderingContext | null {
  const backend = tf.findBackend('webgl') as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } } | null;
  return backend?.gpgpu?.gl ?? null;
}

/** The GPUDevice tfjs computes with, where tfjs-backend-webgpu is the one running. */
function webgpuDevice(): GPUDevice | null {
  const backend = tf.findBackend('webgpu') as unknown as { device?: GPUDevice } | null;
  return backend?.device ?? null;
}

/**
 * After a WebGL context loss tfjs polls the fences of pending read-backs
 * forever (a lost context never signals them): a busy loop in the worker, and
 * the run waiting on them never gets to free its tensors. Settle them now;
 * the reads return meaningless numbers, and the run, already aborted, ends at
 * its next step and frees what it holds. Relies on tfjs-backend-webgl 4.x's
 * GPGPUContext.itemsToPoll; does nothing if that is not there.
 */
export function releaseLostReads(backend: ActiveBackend): void {
  if (backend !== 'webgl') return;
  const gpgpu = (tf.findBackend('webgl') as unknown as {
    gpgpu?: { itemsToPoll?: { resolveFn: () => void }[] };
  } | null)?.gpgpu;
  const items = gpgpu?.itemsToPoll;
  if (!gpgpu || !Array.isArray(items)) return;
  gpgpu.itemsToPoll = [];
  for (const item of items) item.resolveFn();
}

/**
 * Resolves with a sentence for the user when the GPU behind `backend` goes
 * away (WebGL context lost, WebGPU device lost: a driver reset, a GPU process
 * crash, too many contexts); never resolves for the CPU backends. Call it
 * once `backend` is running. tfjs does not notice a loss by itself: a WebGL
 * read-back then waits forever, so the caller must end the run.
 */
export function watchDeviceLoss(backend: ActiveBackend): Promise<string> {
  const never = new Promise<string>(() => undefined);
  if (backend === 'webgl') {
    const gl = webglContext();
    if (!gl) return never;
    const message = 'the WebGL context was lost (the GPU was reset or is busy elsewhere)';
    if (gl.isContextLost()) return Promise.resolve(message);
    // An OffscreenCanvas in a worker (the WebWorker typings leave `canvas` out).
    const canvas = (gl as unknown as { canvas: EventTarget }).canvas;
    return new Promise((resolve) => {
      canvas.addEventListener('webglcontextlost', () => resolve(message), { once: true });
    });
  }
  if (backend === 'webgpu') {
    const device = webgpuDevice();
    if (!device) return never;
    return device.lost.then((info) => `the WebGPU device was lost (${info.reason}${info.message ? `: ${reason(info.message)}` : ''})`);
  }
  return never;
}

/** Each backend's name in messages to the user. */
export const BACKEND_LABEL: Record<ActiveBackend, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

/**
 * Tries to make `name` the active backend the app's way (prepareBackend with
 * our kernels; a software WebGL renderer is allowed there, and the probe
 * keeps 'auto' from picking it when it is slow); throws with a short reason
 * when it cannot. Returns whether the compiled WebGPU step applies.
 */
async function activate(name: ActiveBackend, options: ChooseOptions): Promise<boolean> {
  const unavailable = options.unavailable?.get(name);
  if (unavailable) throw new Error(unavailable);
  const prepare: PrepareOptions = { kernels: 'ours', compiledStep: options.compiledStep };
  if (tf.getBackend() === name) return compiledStepFor(name, prepare);
  return (await prepareBackend(name, prepare, browserEnvironment())).compiledStep;
}

/**
 * What `backend` (the running one) computes on, in a few words for the
 * status line and the benchmark: SIMD and threads for WebAssembly, the
 * renderer or adapter for the GPU backends.
 */
export async function describeBackend(backend: ActiveBackend): Promise<string> {
  try {
    switch (backend) {
      case 'wasm': {
        const tfjsThreads = getThreadsCount();
        const threads = Math.max(tfjsThreads, simdThreads());
        const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
        const why = threads === 1 && navigator.hardwareConcurrency > 1 && !self.crossOriginIsolated
          ? ' (threads need a cross-origin isolated page)' : '';
        const split = threads > tfjsThreads ? `, tfjs's own kernels on ${tfjsThreads}` : '';
        return `${simd}, ${threads} thread${threads === 1 ? '' : 's'} of ${navigator.hardwareConcurrency} cores${why}${split}`;
      }
      case 'webgl': {
        const gl = webglContext();
        const info = gl?.getExtension('WEBGL_debug_renderer_info');
        const renderer = gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown renderer';
        return `WebGL ${tf.env().getNumber('WEBGL_VERSION')}, ${renderer}`;
      }
      case 'webgpu': {
        const info = (await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter())?.info;
        const parts = info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean) : [];
        return parts.length ? `adapter ${parts.join(' / ')}` : 'adapter unknown';
      }
      case 'cpu':
        return 'plain JavaScript';
    }
  } catch (error) {
    return `details unavailable (${reason(error)})`;
  }
}

/** Whether the browser's WebGPU adapter is a fallback adapter (software, e.g. SwiftShader). */
async function isFallbackWebGpu(): Promise<boolean> {
  try {
    const adapter = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
    if (!adapter) return false;
    // Chromium moved the flag from the adapter to adapter.info.
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  } catch {
    return false;
  }
}

/**
 * Multiply-adds per second of a mid-sized matrix product, after one warm-up.
 * A backend that runs `hopeless` times slower than `needed` after one timed
 * product stops there: a software GPU takes a second per product, and the
 * answer is already plain.
 */
async function probe(needed = 0): Promise<number> {
  const hopeless = 4;
  const a = tf.randomUniform([PROBE_SIZE, PROBE_SIZE]);
  const b = tf.randomUniform([PROBE_SIZE, PROBE_SIZE]);
  try {
    const run = async () => {
      const product = tf.matMul(a, b);
      await product.data();
      product.dispose();
    };
    await run();
    const start = performance.now();
    let speed = 0;
    for (let runs = 1; runs <= 3; runs++) {
      await run();
      speed = (runs * PROBE_SIZE ** 3) / Math.max((performance.now() - start) / 1000, 1e-6);
      if (speed * hopeless < needed) break;
    }
    return speed;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/**
 * 'auto': the fastest of WebGPU, WebGL and WebAssembly here, by probe.
 * A named backend: that one, or the next in FALLBACK_ORDER that starts.
 */
export async function chooseBackend(requested: BackendName, options: ChooseOptions = {}): Promise<BackendChoice> {
  if (requested !== 'auto') {
    try {
      const compiledStep = await activate(requested, options);
      return { backend: requested, note: null, compiledStep };
    } catch (cause) {
      const why = `${BACKEND_LABEL[requested]} unavailable: ${reason(cause)}`;
      for (const fallback of FALLBACK_ORDER.filter((b) => b !== requested)) {
        try {
          const compiledStep = await activate(fallback, options);
          return { backend: fallback, note: why, compiledStep };
        } catch {
          // try the next one
        }
      }
      throw new Error(`${why}; no other backend could start`, { cause });
    }
  }

  const skipped: string[] = [];
  let baseline = 0;
  try {
    await activate('wasm', options);
    baseline = await probe();
  } catch (error) {
    skipped.push(`WebAssembly unavailable: ${reason(error)}`);
  }
  let best: { backend: ActiveBackend; speed: number } | null = null;
  for (const gpu of ['webgpu', 'webgl'] as const) {
    if (gpu === 'webgpu' && await isFallbackWebGpu()) {
      // Starting it and compiling the probe's shaders takes seconds of a cold
      // start, to learn what the adapter already says: it is a CPU emulation.
      skipped.push('WebGPU skipped: a software (fallback) adapter');
      continue;
    }
    try {
      await activate(gpu, options);
      const speed = await probe(GPU_ADVANTAGE * baseline);
      if (speed >= GPU_ADVANTAGE * baseline && (!best || speed > best.speed)) best = { backend: gpu, speed };
      else skipped.push(`${BACKEND_LABEL[gpu]} slower here`);
    } catch (error) {
      skipped.push(`${BACKEND_LABEL[gpu]} unavailable: ${reason(error)}`);
    }
  }
  const backend = best?.backend ?? (baseline > 0 ? 'wasm' : 'cpu');
  const compiledStep = await activate(backend, options);
  return { backend, note: `chosen automatically${skipped.length ? `; ${skipped.join('; ')}` : ''}`, compiledStep };
}
