/**
 * Starting a tfjs backend in the worker, with fallbacks and a measured choice
 * for 'auto'. Names like "SwiftShader" are not trusted: a short matrix
 * multiply probe decides whether a GPU backend beats WebAssembly here.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from '../core/config/params';
import { registerWasmTrainingKernels } from '../core/wasm/trainingKernels';
import type { ActiveBackend } from './protocol';

const FALLBACK_ORDER: ActiveBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** A GPU backend must beat WebAssembly's probe by this factor to be chosen automatically. */
const GPU_ADVANTAGE = 1.5;
const PROBE_SIZE = 384;

export interface BackendChoice {
  backend: ActiveBackend;
  note: string | null;
}

const LABEL: Record<ActiveBackend, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'CPU' };

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Tries to make `name` the active backend; throws with a short reason when it cannot. */
async function activate(name: ActiveBackend): Promise<void> {
  if (tf.getBackend() === name) return;
  switch (name) {
    case 'webgpu': {
      const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
      if (!gpu) throw new Error('not supported by this browser');
      // tfjs crashes at setup without an adapter, so ask first.
      const adapter = await gpu.requestAdapter();
      if (!adapter) throw new Error('no adapter');
      break;
    }
    case 'webgl':
      // A software renderer may still be what the user asked for; the probe
      // keeps 'auto' from picking it when it is slow.
      tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
      break;
    case 'wasm':
      // The threaded build starts its pthread workers from the bundle's own
      // script URL, which here is this worker: they crash. Single-threaded
      // SIMD until threads get a script of their own.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      setWasmPaths({
        'tfjs-backend-wasm.wasm': wasmPlainUrl,
        'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
      });
      registerWasmTrainingKernels();
      break;
    case 'cpu':
      break;
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new Error(reason(error), { cause: error });
  }
  if (!ok) throw new Error('failed to start');
  await tf.ready();
}

/** Multiply-adds per second of a mid-sized matrix product, after one warm-up. */
async function probe(): Promise<number> {
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
    const repeats = 3;
    for (let i = 0; i < repeats; i++) await run();
    const seconds = (performance.now() - start) / 1000;
    return (repeats * PROBE_SIZE ** 3) / Math.max(seconds, 1e-6);
  } finally {
    a.dispose();
    b.dispose();
  }
}

/**
 * 'auto': the fastest of WebGPU, WebGL and WebAssembly here, by probe.
 * A named backend: that one, or the next in FALLBACK_ORDER that starts.
 */
export async function chooseBackend(requested: BackendName): Promise<BackendChoice> {
  if (requested !== 'auto') {
    try {
      await activate(requested);
      return { backend: requested, note: null };
    } catch (cause) {
      const why = `${LABEL[requested]} unavailable: ${reason(cause)}`;
      for (const fallback of FALLBACK_ORDER.filter((b) => b !== requested)) {
        try {
          await activate(fallback);
          return { backend: fallback, note: why };
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
    await activate('wasm');
    baseline = await probe();
  } catch (error) {
    skipped.push(`WebAssembly unavailable: ${reason(error)}`);
  }
  let best: { backend: ActiveBackend; speed: number } | null = null;
  for (const gpu of ['webgpu', 'webgl'] as const) {
    try {
      await activate(gpu);
      const speed = await probe();
      if (speed >= GPU_ADVANTAGE * baseline && (!best || speed > best.speed)) best = { backend: gpu, speed };
      else skipped.push(`${LABEL[gpu]} slower here`);
    } catch (error) {
      skipped.push(`${LABEL[gpu]} unavailable: ${reason(error)}`);
    }
  }
  const backend = best?.backend ?? (baseline > 0 ? 'wasm' : 'cpu');
  await activate(backend);
  return { backend, note: `chosen automatically${skipped.length ? `; ${skipped.join('; ')}` : ''}` };
}
