/**
 * Our WebAssembly SIMD module (./simdWat.ts) bound to the tfjs-backend-wasm
 * heap, and helper threads to run parts of a kernel's calls.
 *
 * The module imports the backend's WebAssembly.Memory, so kernels read and
 * write tensors where tfjs keeps them (byte offsets from the backend's
 * dataIdMap, a tfjs internal). It is compiled once per build (shared memory
 * or not; relaxed-SIMD FMA where the engine validates it, else mul + add)
 * and instantiated once per backend memory.
 *
 * Threads: tfjs's pthread pool is not ours. Where the heap is shared memory
 * (tfjs's threaded build, a cross-origin isolated page) and this code runs in
 * a worker (Atomics.wait is allowed there), helper workers of our own (blob
 * workers, started when the module is first bound, ready a moment later)
 * instantiate the same module on the same memory; `runParts` hands each one
 * part of a kernel's calls while the calling thread runs the first part, then
 * waits. Elsewhere (Node, a page's main thread, before the helpers are ready)
 * the calling thread runs every part, one after the other.
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
  /** How many parts a kernel splits its work into (`runParts` runs each on its own thread where it can). */
  parts: number;
}

interface EmscriptenModuleLike {
  wasmMemory?: unknown;
  asm?: { memory?: unknown };
}

const compiled = new Map<string, WebAssembly.Module>();
/** Per backend heap: the bound exports, or null where the module would not compile or instantiate. */
const instances = new WeakMap<WebAssembly.Memory, SimdExports | null>();
let relaxedSupported: boolean | undefined;
/** Threads for our kernels, this one included, and the least work worth a part of its own (configureSimdThreads). */
let threads = 1;
let minMacsPerPart = 4_000_000;

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

/**
 * Whether helper workers can share tfjs's heap here: its threaded build on a
 * cross-origin isolated page, called from a worker (where Atomics.wait is
 * allowed) that may start workers.
 */
export function simdHelpersPossible(): boolean {
  const g = globalThis as { WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean };
  return (
    typeof SharedArrayBuffer !== 'undefined' &&
    g.WorkerGlobalScope !== undefined &&
    g.crossOriginIsolated === true &&
    typeof Worker === 'function' &&
    typeof Blob === 'function' &&
    typeof URL.createObjectURL === 'function'
  );
}

/**
 * How many threads our kernels use, this one included: the kernels split
 * their work into that many parts, and with helpers possible each part
 * past the first runs on a helper worker of ours. 1 (the default) keeps
 * everything on the calling thread. A part is at least `macsPerPart`
 * multiply-adds (partsFor): waking a helper costs 0.1–0.3 ms, the time of
 * a few million, so smaller work stays on this thread.
 */
export function configureSimdThreads(count: number, macsPerPart = 4_000_000): void {
  threads = Math.max(1, Math.floor(count) || 1);
  minMacsPerPart = Math.max(1, macsPerPart);
}

export function simdThreads(): number {
  return threads;
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

/**
 * The module bound to this backend's heap, or undefined where the heap
 * cannot be imported or the engine cannot run it (no WebAssembly SIMD): the
 * kernels then leave the work to tfjs's own.
 */
export function simdModule(backend: WasmBackendLike): SimdModule | undefined {
  const memory = backendMemory(backend);
  if (memory === undefined) return undefined;
  let exports = instances.get(memory);
  if (exports === undefined) {
    try {
      exports = new WebAssembly.Instance(compiledFor(memory), { env: { memory } }).exports as unknown as SimdExports;
    } catch {
      exports = null;
    }
    instances.set(memory, exports);
  }
  if (exports === null) return undefined;
  helperList(memory);
  return { exports, memory, parts: threads };
}

/** A tensor's byte offset on the heap (a tfjs internal). */
export function heapOffset(backend: WasmBackendLike, info: TensorInfo): number {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  if (typeof offset !== 'number') throw new Error('wasm SIMD kernels: a tensor has no heap offset.');
  return offset;
}

// ---------------------------------------------------------------------------
// The helper workers

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

const helpers = new WeakMap<WebAssembly.Memory, Helper[]>();

function startHelper(memory: WebAssembly.Memory): Helper | undefined {
  try {
    const module = compiledFor(memory);
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    const url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url, { name: 'wasm SIMD helper' });
    URL.revokeObjectURL(url);
    const ctrl = new Int32Array(new SharedArrayBuffer(4 * (CALLS_AT + MAX_CALLS * CALL_WORDS)));
    const helper: Helper = { worker, ctrl, names, seq: 0, dead: false };
    worker.onerror = () => {
      helper.dead = true;
    };
    worker.postMessage({ module, memory, ctrl: ctrl.buffer, names });
    return helper;
  } catch {
    return undefined;
  }
}

/** The helpers for this memory, started on the first call (each ready a moment later). */
function helperList(memory: WebAssembly.Memory): Helper[] {
  let list = helpers.get(memory);
  if (list === undefined) {
    list = [];
    if (isShared(memory) && simdHelpersPossible()) {
      for (let k = 1; k < threads; k++) {
        const helper = startHelper(memory);
        if (helper !== undefined) list.push(helper);
      }
    }
    helpers.set(memory, list);
  }
  return list;
}

/** Helper i for this memory if it is ready. */
function readyHelper(memory: WebAssembly.Memory, i: number): Helper | undefined {
  const helper = helperList(memory)[i];
  if (helper === undefined || helper.dead || Atomics.load(helper.ctrl, READY) !== 1) return undefined;
  return helper;
}

/** How many helper workers for this backend's heap are ready. */
export function readySimdHelpers(backend: WasmBackendLike): number {
  const memory = backendMemory(backend);
  const list = memory === undefined ? [] : (helpers.get(memory) ?? []);
  return list.filter((h) => !h.dead && Atomics.load(h.ctrl, READY) === 1).length;
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

function post(helper: Helper, calls: readonly SimdCall[]): void {
  calls.forEach(([name, args], k) => {
    const o = CALLS_AT + k * CALL_WORDS;
    helper.ctrl[o] = helper.names.indexOf(name);
    helper.ctrl[o + 1] = args.length;
    helper.ctrl.set(args, o + 2);
  });
  helper.ctrl[COUNT] = calls.length;
  helper.seq = (helper.seq + 1) | 0;
  Atomics.store(helper.ctrl, JOB, helper.seq);
  Atomics.notify(helper.ctrl, JOB);
}

/**
 * Runs parts[0] on this thread and each other part on a helper at the same
 * time where one is ready (the parts must not write the same memory), else
 * here after parts[0]. If a helper fails, `beforeRedo(i)` runs and part i is
 * done here.
 */
export function runParts(
  module: SimdModule,
  parts: ReadonlyArray<readonly SimdCall[]>,
  beforeRedo: (part: number) => void = () => {},
): void {
  const posted: Array<Helper | undefined> = parts.map((calls, i) => {
    if (i === 0 || calls.length === 0 || calls.length > MAX_CALLS) return undefined;
    if (calls.some(([, args]) => args.length > MAX_ARGS)) return undefined;
    const helper = readyHelper(module.memory, i - 1);
    if (helper !== undefined) post(helper, calls);
    return helper;
  });
  parts.forEach((calls, i) => {
    if (posted[i] === undefined) runHere(module.exports, calls);
  });
  posted.forEach((helper, i) => {
    if (helper !== undefined && !awaitHelper(helper)) {
      beforeRedo(i);
      runHere(module.exports, parts[i]);
    }
  });
}

/** How many parts a kernel of `macs` multiply-adds splits into (see configureSimdThreads). */
export function partsFor(module: SimdModule, macs: number): number {
  return Math.max(1, Math.min(module.parts, Math.floor(macs / minMacsPerPart)));
}

/** The greatest common divisor, for tile and pattern sizes. */
export function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** [start, count] of `parts` near-equal pieces of [0, n), each start a multiple of `step`. */
export function splitRange(n: number, parts: number, step = 1): Array<[number, number]> {
  const units = Math.ceil(n / step);
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const end = Math.min(n, Math.round((units * (i + 1)) / parts) * step);
    out.push([start, Math.max(0, end - start)]);
    start = Math.max(start, end);
  }
  return out;
}
