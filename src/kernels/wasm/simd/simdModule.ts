/**
 * Our WebAssembly SIMD module (./simdWat.ts) bound to the tfjs-backend-wasm
 * heap, and a second thread to run half of a kernel's calls.
 *
 * The module imports the backend's WebAssembly.Memory, so kernels read and
 * write tensors where tfjs keeps them (byte offsets from the backend's
 * dataIdMap, a tfjs internal). It is compiled once per build (shared memory
 * or not; relaxed-SIMD FMA where the engine validates it, else mul + add)
 * and instantiated once per backend memory.
 *
 * Threads: tfjs's pthread pool is not ours. Where the heap is shared memory
 * (tfjs's threaded build, a cross-origin isolated page) and this code runs in
 * a worker (Atomics.wait is allowed there), a helper worker of our own (a
 * blob worker, started on first use and ready a moment later) instantiates
 * the same module on the same memory and runs the calls a kernel hands it,
 * while the calling thread runs its own and then waits. Elsewhere (Node, a
 * page's main thread, before the helper is ready) the calling thread runs
 * both lists, one after the other.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend';
import { SIMD_WASM_BASE64 } from './simdBinaries';

/** One call of an exported function with its i32 arguments. */
export type SimdCall = readonly [name: string, args: readonly number[]];

type SimdExports = Record<string, (...args: number[]) => void>;

export interface SimdModule {
  exports: SimdExports;
  memory: WebAssembly.Memory;
  /** Whether `runSplit` really runs its second list on another thread now. */
  threaded: boolean;
}

interface EmscriptenModuleLike {
  wasmMemory?: unknown;
  asm?: { memory?: unknown };
}

const compiled = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, SimdExports>();
let relaxedSupported: boolean | undefined;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The backend's WebAssembly.Memory (threaded build: Module.wasmMemory; otherwise the instance's export). tfjs internal. */
function backendMemory(backend: WasmBackendLike): WebAssembly.Memory | undefined {
  const module = (backend as { wasm?: EmscriptenModuleLike }).wasm;
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The build this engine runs: FMA where relaxed SIMD validates. */
export function simdVariantName(shared: boolean): keyof typeof SIMD_WASM_BASE64 {
  relaxedSupported ??= WebAssembly.validate(decode(SIMD_WASM_BASE64.relaxed));
  return shared ? (relaxedSupported ? 'sharedRelaxed' : 'sharedPlain') : relaxedSupported ? 'relaxed' : 'plain';
}

function compiledFor(memory: WebAssembly.Memory): WebAssembly.Module {
  const name = simdVariantName(isShared(memory));
  let module = compiled.get(name);
  if (module === undefined) {
    module = new WebAssembly.Module(decode(SIMD_WASM_BASE64[name]));
    compiled.set(name, module);
  }
  return module;
}

/** The module bound to this backend's heap, or undefined where the heap cannot be imported. */
export function simdModule(backend: WasmBackendLike): SimdModule | undefined {
  const memory = backendMemory(backend);
  if (memory === undefined) return undefined;
  let exports = instances.get(memory);
  if (exports === undefined) {
    exports = new WebAssembly.Instance(compiledFor(memory), { env: { memory } }).exports as unknown as SimdExports;
    instances.set(memory, exports);
  }
  return { exports, memory, threaded: readyHelper(memory) !== undefined };
}

/** A tensor's byte offset on the heap (a tfjs internal). */
export function heapOffset(backend: WasmBackendLike, info: TensorInfo): number {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  if (typeof offset !== 'number') throw new Error('wasm SIMD kernels: a tensor has no heap offset.');
  return offset;
}

// ---------------------------------------------------------------------------
// The helper worker

/** Control words (Int32Array over a SharedArrayBuffer): job sequence, done sequence, ready, call count, calls. */
const JOB = 0;
const DONE = 1;
const READY = 2;
const COUNT = 3;
const CALLS_AT = 4;
const MAX_ARGS = 20;
const CALL_WORDS = 2 + MAX_ARGS; // export index, argument count, arguments
const MAX_CALLS = 64;

const HELPER_SOURCE = `
onmessage = (e) => {
  const { module, memory, ctrl, names } = e.data;
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fns = names.map((n) => ex[n]);
  const c = new Int32Array(ctrl);
  Atomics.store(c, ${READY}, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(c, ${JOB}, seen);
    seen = Atomics.load(c, ${JOB});
    const count = c[${COUNT}];
    for (let k = 0; k < count; k++) {
      const o = ${CALLS_AT} + k * ${CALL_WORDS};
      fns[c[o]](...c.subarray(o + 2, o + 2 + c[o + 1]));
    }
    Atomics.store(c, ${DONE}, seen);
    Atomics.notify(c, ${DONE});
  }
};
`;

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  names: string[];
  seq: number;
  dead: boolean;
}

const helpers = new WeakMap<WebAssembly.Memory, Helper | null>();

/** Whether this thread may block in Atomics.wait and start workers (a worker on a cross-origin isolated page). */
function canUseHelper(memory: WebAssembly.Memory): boolean {
  const g = globalThis as { WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean };
  return (
    isShared(memory) &&
    g.WorkerGlobalScope !== undefined &&
    g.crossOriginIsolated === true &&
    typeof Worker === 'function' &&
    typeof Blob === 'function' &&
    typeof URL.createObjectURL === 'function'
  );
}

/** The ready helper for this memory; starts one on the first call (ready on a later call). */
function readyHelper(memory: WebAssembly.Memory): Helper | undefined {
  let helper = helpers.get(memory);
  if (helper === undefined) {
    helper = null;
    if (canUseHelper(memory)) {
      try {
        const module = compiledFor(memory);
        const names = WebAssembly.Module.exports(module).map((e) => e.name);
        const url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: 'text/javascript' }));
        const worker = new Worker(url, { name: 'wasm SIMD helper' });
        URL.revokeObjectURL(url);
        const ctrl = new Int32Array(new SharedArrayBuffer(4 * (CALLS_AT + MAX_CALLS * CALL_WORDS)));
        const h: Helper = { worker, ctrl, names, seq: 0, dead: false };
        worker.onerror = () => {
          h.dead = true;
        };
        worker.postMessage({ module, memory, ctrl: ctrl.buffer, names });
        helper = h;
      } catch {
        helper = null;
      }
    }
    helpers.set(memory, helper);
  }
  if (helper === null || helper.dead || Atomics.load(helper.ctrl, READY) !== 1) return undefined;
  return helper;
}

/** Waits for the helper's job `seq`; false (and the helper is retired) if it does not finish within 10 s. */
function awaitHelper(helper: Helper): boolean {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const done = Atomics.load(helper.ctrl, DONE);
    if (done === helper.seq) return true;
    Atomics.wait(helper.ctrl, DONE, done, 100);
    if (performance.now() > deadline) {
      helper.dead = true;
      helper.worker.terminate();
      return false;
    }
  }
}

function runHere(exports: SimdExports, calls: readonly SimdCall[]): void {
  for (const [name, args] of calls) exports[name](...args);
}

/**
 * Runs `here` on this thread and `there` on the helper at the same time where
 * there is one (the two lists must not write the same memory), else both
 * here. If the helper fails, `beforeRedo` runs and then `there` is done here.
 */
export function runSplit(
  module: SimdModule,
  here: readonly SimdCall[],
  there: readonly SimdCall[],
  beforeRedo: () => void = () => {},
): void {
  const helper = module.threaded ? readyHelper(module.memory) : undefined;
  if (helper === undefined || there.length === 0 || there.length > MAX_CALLS) {
    runHere(module.exports, here);
    runHere(module.exports, there);
    return;
  }
  there.forEach(([name, args], k) => {
    const o = CALLS_AT + k * CALL_WORDS;
    if (args.length > MAX_ARGS) throw new Error(`wasm SIMD kernels: ${name} has more than ${MAX_ARGS} arguments.`);
    helper.ctrl[o] = helper.names.indexOf(name);
    helper.ctrl[o + 1] = args.length;
    helper.ctrl.set(args, o + 2);
  });
  helper.ctrl[COUNT] = there.length;
  helper.seq = (helper.seq + 1) | 0;
  Atomics.store(helper.ctrl, JOB, helper.seq);
  Atomics.notify(helper.ctrl, JOB);
  runHere(module.exports, here);
  if (!awaitHelper(helper)) {
    beforeRedo();
    runHere(module.exports, there);
  }
}

/** Splits [0, n) in two at a multiple of `step`, the first part at least as long. */
export function halves(n: number, step = 1): [number, number] {
  const mid = Math.min(n, Math.ceil(n / 2 / step) * step);
  return [mid, n - mid];
}
