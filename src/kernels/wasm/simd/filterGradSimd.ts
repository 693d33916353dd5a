/**
 * Conv2DBackpropFilter with our WebAssembly SIMD kernel (`fg_*` in
 * ./filterGradWat.ts), in place on the tfjs-backend-wasm heap (./simdModule.ts):
 * x and dy are read where tfjs keeps them. Only x is copied, and only when the
 * convolution pads (into a zero-bordered scratch tensor, by the module's `pad`).
 * The batch is split over our threads (partsFor), each summing into
 * accumulators of its own.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend';
import { disposeAll, f32 } from '../backend';
import { channelBlocks, convInput, type ConvInput } from './convInput';
import { tileRows } from './filterGradWat';
import { gcd, heapOffset, partsFor, runParts, simdModule, splitRange, type SimdCall } from './simdModule';

type Conv2DInfo = backend_util.Conv2DInfo;

/** Bytes the kernel may read past x (up to TK − 1 floats) and dy (up to 3 floats). */
const OVERREAD_BYTES = 32;

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
  const module = simdModule(backend);
  if (module === undefined) return undefined;
  const { batchSize: N, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const J = KW * CI;
  const blocks = channelBlocks(CO);
  const rowsMultiple = blocks.reduce((m, [, tc]) => (m * tileRows(tc)) / gcd(m, tileRows(tc)), 1);
  const JP = Math.ceil(J / rowsMultiple) * rowsMultiple;
  const COV = Math.ceil(CO / 4);
  const accFloats = KH * JP * COV * 4;
  const parts = splitRange(N, Math.min(partsFor(module, N * OH * OW * KH * J * CO), N));
  let input: ConvInput | undefined;
  let acc: TensorInfo | undefined;
  try {
    // Scratch: the padded x, if any (plus room for the over-read), and one set of accumulators per part.
    input = convInput(backend, module, x, info, OVERREAD_BYTES / 4);
    acc = backend.makeOutput([parts.length * accFloats], 'float32');
    f32(backend, acc).fill(0);
    const dyOff = heapOffset(backend, dy);
    const end = Math.max(dyOff + 4 * N * OH * OW * CO, input.x + 4 * N * input.imageFloats);
    if (end + OVERREAD_BYTES > module.memory.buffer.byteLength) return undefined; // never in practice
    const { x: xUse, rowWidth, imageFloats: img } = input;
    const accOff = heapOffset(backend, acc);
    /** Images [n0, n0 + count) into part i's accumulators. */
    const calls = ([n0, count]: [number, number], i: number): SimdCall[] =>
      count === 0 ? [] : blocks.map(([v0, tc]) => [`fg_${tileRows(tc)}x${tc}`, [
        xUse + 4 * img * n0, dyOff + 4 * OH * OW * CO * n0 + 16 * v0, accOff + 4 * accFloats * i + 16 * v0, count, KH, JP, OH, OW,
        4 * img, 4 * rowWidth, 4 * sh * rowWidth, 4 * sw * CI, 4 * CO, 4 * OH * OW * CO, 16 * COV,
      ]]);
    const scratch = acc;
    runParts(module, parts.map(calls), (i) => f32(backend, scratch).fill(0, accFloats * i, accFloats * (i + 1)));
    const out = backend.makeOutput(filterShape, 'float32');
    const dw = f32(backend, out);
    const a = f32(backend, acc);
    const accRow = 4 * COV;
    for (let kh = 0; kh < KH; kh++) {
      for (let j = 0; j < J; j++) {
        const src = (kh * JP + j) * accRow;
        const dst = (kh * J + j) * CO;
        for (let co = 0; co < CO; co++) {
          let sum = 0;
          for (let i = 0; i < parts.length; i++) sum += a[i * accFloats + src + co];
          dw[dst + co] = sum;
        }
      }
    }
    return out;
  } finally {
    disposeAll(backend, [input?.scratch, acc]);
  }
}
