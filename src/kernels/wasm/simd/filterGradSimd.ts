/**
 * Conv2DBackpropFilter with our own WebAssembly SIMD kernel (./filterGradWat.ts),
 * working in place on the tfjs-backend-wasm heap: the module imports the
 * backend's WebAssembly.Memory, so x and dy are read where tfjs keeps them.
 * Only x is copied, and only when the convolution pads (into a zero-bordered
 * scratch tensor, by the module's `pad`). Single-threaded (tfjs's pthread
 * pool is not ours).
 *
 * The module is compiled once per variant (shared memory or not; relaxed-SIMD
 * FMA where the engine validates it, else mul + add) and instantiated once
 * per backend memory.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend';
import { disposeAll, f32 } from '../backend';
import { FILTER_GRAD_WASM_BASE64 } from './filterGradBinaries';
import { tileRows } from './filterGradWat';

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
  try {
    // Scratch: the padded x (plus room for the over-read) and the accumulators.
    if (!direct) xp = backend.makeOutput([N * IHn * IWn * CI + OVERREAD_BYTES / 4], 'float32');
    acc = backend.makeOutput([KH * JP * COV * 4], 'float32');
    f32(backend, acc).fill(0);
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
    const accOff = offsetOf(backend, acc);
    for (const [v0, tc] of blocks) {
      const kernel = ex[`fg_${tileRows(tc)}x${tc}`];
      kernel(
        xUse, dyOff + 16 * v0, accOff + 16 * v0, N, KH, JP, OH, OW,
        4 * img, 4 * rowW * CI, 4 * sh * rowW * CI, 4 * sw * CI, 4 * CO, 4 * OH * OW * CO, 16 * COV,
      );
    }
    const out = backend.makeOutput(filterShape, 'float32');
    const dw = f32(backend, out);
    const a = f32(backend, acc);
    const accRow = 4 * COV;
    for (let kh = 0; kh < KH; kh++) {
      for (let j = 0; j < J; j++) {
        const src = (kh * JP + j) * accRow;
        dw.set(a.subarray(src, src + CO), (kh * J + j) * CO);
      }
    }
    return out;
  } finally {
    disposeAll(backend, [xp, acc]);
  }
}
