/**
 * Conv2DBackpropFilter with our own WebAssembly SIMD kernel (./filterGradWat.ts),
 * working in place on the tfjs-backend-wasm heap: the module imports the
 * backend's WebAssembly.Memory, so x and dy are read where tfjs keeps them.
 * Only x is copied, and only when the convolution pads (into a zero-bordered
 * scratch tensor, by the module's `pad`).
 *
 * Threads: tfjs's pthread pool is not ours. Where the heap is shared memory
 * (tfjs's threaded build, a cross-origin isolated page) and this code runs in
 * a worker (Atomics.wait is allowed), a helper worker of our own (a blob
 * worker, made on first use) instantiates the same module on the same memory
 * and does the second half of the batch into accumulators of its own; the
 * calling thread does the first half, then waits for it. Elsewhere (Node, a
 * page's main thread, a helper not yet started) one thread does all.
 *
 * The module is compiled once per variant (shared memory or not; relaxed-SIMD
 * FMA where the engine validates it, else mul + add) and instantiated once
 * per backend memory.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend';
import { disposeAll, f32 } from '../backend';
import { FILTER_GRAD_WASM_BASE64 } from './filterGradBinaries';
import { TILES, tileRows } from './filterGradWat';

type Conv2DInfo = backend_util.Conv2DInfo;

interface FilterGradExports {
  pad(x: number, xp: number, n: number, ih: number, iw: number, ci: number, ihp: number, iwp: number, pt: number, pl: number): void;
  [kernel: `fg_${number}x${number}`]: (
    x: number, dy: number, acc: number, n: number, kh: number, jp: number, oh: number, ow: number,
    xImg: number, xKh: number, xOh: number, xOw: number, dyPos: number, dyImg: number, accRow: number,
  ) => void;
}

interface EmscriptenModuleLike {
  wasmMemory?: unknown;
  asm?: { memory?: unknown };
}

/** Bytes the kernel may read past x (up to TK − 1 floats) and dy (up to 3 floats). */
const OVERREAD_BYTES = 32;

const compiled = new Map<string, WebAssembly.Module>();
const instances = new WeakMap<WebAssembly.Memory, FilterGradExports>();
let relaxedSupported: boolean | undefined;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The backend's WebAssembly.Memory (threaded build: Module.wasmMemory; otherwise the instance's export). */
export function backendMemory(backend: WasmBackendLike): WebAssembly.Memory | undefined {
  const module = (backend as { wasm?: EmscriptenModuleLike }).wasm;
  const memory = module?.wasmMemory ?? module?.asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/** Which binary this engine runs: FMA where relaxed SIMD validates. */
export function filterGradVariantName(shared: boolean): keyof typeof FILTER_GRAD_WASM_BASE64 {
  if (relaxedSupported === undefined) {
    relaxedSupported = WebAssembly.validate(decode(FILTER_GRAD_WASM_BASE64.relaxed));
  }
  return shared ? (relaxedSupported ? 'sharedRelaxed' : 'sharedPlain') : relaxedSupported ? 'relaxed' : 'plain';
}

/** The kernel's exports bound to this backend's heap, or undefined where that is not possible. */
export function filterGradExports(backend: WasmBackendLike): FilterGradExports | undefined {
  const memory = backendMemory(backend);
  if (memory === undefined) return undefined;
  let exports = instances.get(memory);
  if (exports === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const name = filterGradVariantName(shared);
    let module = compiled.get(name);
    if (module === undefined) {
      module = new WebAssembly.Module(decode(FILTER_GRAD_WASM_BASE64[name]));
      compiled.set(name, module);
    }
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as FilterGradExports;
    instances.set(memory, exports);
  }
  return exports;
}

function offsetOf(backend: WasmBackendLike, info: TensorInfo): number {
  const offset = backend.dataIdMap.get(info.dataId)?.memoryOffset;
  if (typeof offset !== 'number') throw new Error('Conv2DBackpropFilter (wasm simd): tensor has no heap offset.');
  return offset;
}

/** Channel blocks of at most 4 f32x4 vectors: [first vector, vectors]. */
function channelBlocks(co: number): Array<[number, number]> {
  const vectors = Math.ceil(co / 4);
  const blocks: Array<[number, number]> = [];
  for (let v = 0; v < vectors; v += 4) blocks.push([v, Math.min(4, vectors - v)]);
  return blocks;
}

// ---------------------------------------------------------------------------
// The helper worker

/** Control words (Int32Array over a SharedArrayBuffer): job sequence, done sequence, ready, job. */
const JOB = 0;
const DONE = 1;
const READY = 2;
const BLOCK_COUNT = 4;
const BLOCKS_AT = 5;
const BLOCK_WORDS = 16; // the tile's channel vectors, then the kernel's 15 arguments
const MAX_BLOCKS = 16; // 256 output channels; more: one thread

const HELPER_SOURCE = `
onmessage = (e) => {
  const { module, memory, ctrl } = e.data;
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const c = new Int32Array(ctrl);
  const kernels = ${JSON.stringify(Object.fromEntries(TILES.map(([tk, tc]) => [tc, `fg_${tk}x${tc}`])))};
  Atomics.store(c, ${READY}, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(c, ${JOB}, seen);
    seen = Atomics.load(c, ${JOB});
    const count = c[${BLOCK_COUNT}];
    for (let b = 0; b < count; b++) {
      const o = ${BLOCKS_AT} + b * ${BLOCK_WORDS};
      ex[kernels[c[o]]](c[o + 1], c[o + 2], c[o + 3], c[o + 4], c[o + 5], c[o + 6], c[o + 7], c[o + 8],
        c[o + 9], c[o + 10], c[o + 11], c[o + 12], c[o + 13], c[o + 14], c[o + 15]);
    }
    Atomics.store(c, ${DONE}, seen);
    Atomics.notify(c, ${DONE});
  }
};
`;

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  seq: number;
  dead: boolean;
}

const helpers = new WeakMap<WebAssembly.Memory, Helper | null>();

/** Whether this thread may block in Atomics.wait and start workers (a worker on a cross-origin isolated page). */
function canUseHelper(memory: WebAssembly.Memory): boolean {
  const g = globalThis as { WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean };
  return (
    typeof SharedArrayBuffer !== 'undefined' &&
    memory.buffer instanceof SharedArrayBuffer &&
    g.WorkerGlobalScope !== undefined &&
    g.crossOriginIsolated === true &&
    typeof Worker === 'function' &&
    typeof Blob === 'function' &&
    typeof URL.createObjectURL === 'function'
  );
}

/** The ready helper for this memory; starts one on first call (ready on a later call). */
function readyHelper(memory: WebAssembly.Memory, module: WebAssembly.Module): Helper | undefined {
  let helper = helpers.get(memory);
  if (helper === undefined) {
    helper = null;
    if (canUseHelper(memory)) {
      try {
        const url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: 'text/javascript' }));
        const worker = new Worker(url, { name: 'filter-gradient helper' });
        URL.revokeObjectURL(url);
        const ctrl = new Int32Array(new SharedArrayBuffer(4 * (BLOCKS_AT + MAX_BLOCKS * BLOCK_WORDS)));
        helper = { worker, ctrl, seq: 0, dead: false };
        const h = helper;
        worker.onerror = () => {
          h.dead = true;
        };
        worker.postMessage({ module, memory, ctrl: ctrl.buffer });
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

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * dW for NHWC x and dy (float32, any stride and padding, dilation 1), or
 * undefined where this backend's memory cannot be imported.
 */
export function filterGradSimd(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
  filterShape: number[],
  options: { threads: boolean } = { threads: true },
): TensorInfo | undefined {
  const ex = filterGradExports(backend);
  const memory = backendMemory(backend);
  if (ex === undefined || memory === undefined) return undefined;
  const { batchSize: N, inHeight: IH, inWidth: IW, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // The input rows and columns the convolution reads, padding included.
  const IHn = (OH - 1) * sh + KH;
  const IWn = (OW - 1) * sw + KW;
  const direct = pt === 0 && pl === 0 && IHn <= IH && IWn <= IW;
  const J = KW * CI;
  const blocks = channelBlocks(CO);
  const rowsMultiple = blocks.reduce((m, [, tc]) => (m * tileRows(tc)) / gcd(m, tileRows(tc)), 1);
  const JP = Math.ceil(J / rowsMultiple) * rowsMultiple;
  const COV = Math.ceil(CO / 4);
  let xp: TensorInfo | undefined;
  let acc: TensorInfo | undefined;
  let acc2: TensorInfo | undefined;
  const module = compiled.get(filterGradVariantName(memory.buffer instanceof SharedArrayBuffer));
  const helper = options.threads && N >= 2 && blocks.length <= MAX_BLOCKS && module !== undefined
    ? readyHelper(memory, module)
    : undefined;
  try {
    // Scratch: the padded x (plus room for the over-read) and the accumulators.
    if (!direct) xp = backend.makeOutput([N * IHn * IWn * CI + OVERREAD_BYTES / 4], 'float32');
    acc = backend.makeOutput([KH * JP * COV * 4], 'float32');
    f32(backend, acc).fill(0);
    if (helper !== undefined) {
      acc2 = backend.makeOutput([KH * JP * COV * 4], 'float32');
      f32(backend, acc2).fill(0);
    }
    const xOff = offsetOf(backend, x);
    const dyOff = offsetOf(backend, dy);
    const end = Math.max(dyOff + 4 * N * OH * OW * CO, direct ? xOff + 4 * N * IH * IW * CI : 0);
    if (end + OVERREAD_BYTES > memory.buffer.byteLength) return undefined; // never in practice
    let xUse = xOff;
    let rowW = IW;
    let img = IH * IW * CI;
    if (xp !== undefined) {
      xUse = offsetOf(backend, xp);
      ex.pad(xOff, xUse, N, IH, IW, CI, IHn, IWn, pt, pl);
      rowW = IWn;
      img = IHn * IWn * CI;
    }
    // Images [n0, n1) into the accumulators at accOff, on this thread or (words ≠ undefined) the helper's.
    const run = (n0: number, n1: number, accOff: number, words?: Int32Array) => {
      blocks.forEach(([v0, tc], b) => {
        const args = [
          xUse + 4 * img * n0, dyOff + 4 * OH * OW * CO * n0 + 16 * v0, accOff + 16 * v0, n1 - n0, KH, JP, OH, OW,
          4 * img, 4 * rowW * CI, 4 * sh * rowW * CI, 4 * sw * CI, 4 * CO, 4 * OH * OW * CO, 16 * COV,
        ] as const;
        if (words === undefined) {
          ex[`fg_${tileRows(tc)}x${tc}`](...args);
        } else {
          const o = BLOCKS_AT + b * BLOCK_WORDS;
          words[o] = tc;
          for (let i = 0; i < args.length; i++) words[o + 1 + i] = args[i];
        }
      });
    };
    const accOff = offsetOf(backend, acc);
    if (helper !== undefined && acc2 !== undefined) {
      const half = N >> 1;
      const acc2Off = offsetOf(backend, acc2);
      run(half, N, acc2Off, helper.ctrl);
      helper.ctrl[BLOCK_COUNT] = blocks.length;
      helper.seq = (helper.seq + 1) | 0;
      Atomics.store(helper.ctrl, JOB, helper.seq);
      Atomics.notify(helper.ctrl, JOB);
      run(0, half, accOff);
      if (!awaitHelper(helper)) {
        f32(backend, acc2).fill(0);
        run(half, N, acc2Off);
      }
    } else {
      run(0, N, accOff);
    }
    const out = backend.makeOutput(filterShape, 'float32');
    const dw = f32(backend, out);
    const a = f32(backend, acc);
    const a2 = acc2 === undefined ? undefined : f32(backend, acc2);
    const accRow = 4 * COV;
    for (let kh = 0; kh < KH; kh++) {
      for (let j = 0; j < J; j++) {
        const src = (kh * JP + j) * accRow;
        const dst = (kh * J + j) * CO;
        if (a2 === undefined) {
          dw.set(a.subarray(src, src + CO), dst);
        } else {
          for (let co = 0; co < CO; co++) dw[dst + co] = a[src + co] + a2[src + co];
        }
      }
    }
    return out;
  } finally {
    disposeAll(backend, [xp, acc, acc2]);
  }
}
