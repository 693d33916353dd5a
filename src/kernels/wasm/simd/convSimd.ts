/**
 * A forward convolution (NHWC, any stride and padding, dilation 1) by our
 * WebAssembly SIMD direct convolution (`cv_*` in ./convWat.ts), in place on
 * the tfjs-backend-wasm heap, with an optional bias and relu, the batch
 * split over our threads.
 *
 * XNNPACK computes few output channels poorly: the first LeNet layer (one
 * input channel, 6 filters) and the input gradient of the second (which our
 * Conv2DBackpropInput computes as a convolution with 6 outputs) took 2–5 ms
 * per step each at batch 256 on two cores.
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend';
import { disposeAll, f32 } from '../backend';
import { convFunc } from './convWat';
import { channelBlocks, convInput, type ConvInput } from './convInput';
import { heapOffset, partsFor, runParts, simdModule, splitRange, type SimdCall, type SimdModule } from './simdModule';

/** A direct convolution on the heap, in the terms of the `cv_*` functions. */
interface ConvJob {
  /** Byte offset of image 0's (padded) input, and the bytes between images and between input rows. */
  x: number;
  images: number;
  imageBytes: number;
  rowBytes: number;
  /** Output rows, and positions per row; each position's byte offset in its image's input. */
  rows: number;
  columns: number;
  positions: (i: number) => number;
  KH: number;
  /** The filter rows [first, end) that read input rows, not zero padding, for output row `row` (default all). */
  filterRows?: (row: number) => [number, number];
  /** Taps per filter row (KW·CI), contiguous in an input row. */
  J: number;
  CO: number;
  /** Writes bias (row 0) and filter rows 1… into p, each row `rowFloats` long, the padding zero. */
  fillParams: (p: Float32Array, rowFloats: number) => void;
  relu: boolean;
  out: TensorInfo;
}

/** Runs of output rows that read the same filter rows: [first position, end position, first filter row, filter rows]. */
function bands(job: ConvJob): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  for (let row = 0; row < job.rows; row++) {
    let [k0, k1] = job.filterRows?.(row) ?? [0, job.KH];
    // Every output reads at least one filter row (the kernel's loop runs once): a row of padding adds zeros.
    k0 = Math.min(Math.max(k0, 0), job.KH - 1);
    k1 = Math.max(Math.min(k1, job.KH), k0 + 1);
    const last = out[out.length - 1];
    if (last !== undefined && last[2] === k0 && last[3] === k1 - k0) last[1] += job.columns;
    else out.push([row * job.columns, (row + 1) * job.columns, k0, k1 - k0]);
  }
  return out;
}

/**
 * Runs a ConvJob over our threads (partsFor): the images split between them,
 * or with fewer images than threads (a matrix product is one image) the
 * positions.
 * Filter rows that would only read zero padding are skipped, a band of
 * output rows at a time.
 */
function convolve(backend: WasmBackendLike, module: SimdModule, job: ConvJob): void {
  const { KH, J, CO } = job;
  const P = job.rows * job.columns;
  const COV = Math.ceil(CO / 4);
  const rowFloats = 4 * COV;
  let params: TensorInfo | undefined;
  let table: TensorInfo | undefined;
  try {
    params = backend.makeOutput([rowFloats * (1 + KH * J)], 'float32');
    table = backend.makeOutput([P], 'int32');
    // Views after the allocations: growing the heap detaches earlier ones.
    const p = f32(backend, params);
    p.fill(0);
    job.fillParams(p, rowFloats);
    const positions = backend.typedArrayFromHeap(table);
    for (let i = 0; i < P; i++) positions[i] = job.positions(i);
    const [pOff, tableOff, outOff] = [heapOffset(backend, params), heapOffset(backend, table), heapOffset(backend, job.out)];
    const blocks = channelBlocks(CO);
    const runs = bands(job);
    /** Images [n0, n0 + images) at positions [a, b). */
    const calls = (n0: number, images: number, a: number, b: number): SimdCall[] =>
      images === 0 ? [] : runs.flatMap(([start, end, k0, rows]) => {
        const [lo, hi] = [Math.max(a, start), Math.min(b, end)];
        if (hi <= lo) return [];
        return blocks.map(([v0, tc], block): SimdCall => {
          const { name, tk } = convFunc(tc, block === blocks.length - 1 ? CO % 4 : 0);
          return [name, [
            job.x + job.imageBytes * n0 + job.rowBytes * k0, pOff + 4 * rowFloats * (1 + k0 * J) + 16 * v0, pOff + 16 * v0,
            outOff + 4 * CO * (n0 * P + lo) + 16 * v0, images, tableOff + 4 * lo, Math.floor((hi - lo) / tk), (hi - lo) % tk, rows, J,
            job.imageBytes, job.rowBytes, 4 * rowFloats, 4 * CO, 4 * CO * P, job.relu ? 1 : 0,
          ]];
        });
      });
    const threads = partsFor(module, job.images * P * KH * J * CO);
    const parts = job.images >= threads
      ? splitRange(job.images, threads).map(([n0, images]) => calls(n0, images, 0, P))
      : splitRange(P, threads).map(([a, count]) => calls(0, job.images, a, a + count));
    runParts(module, parts);
  } finally {
    disposeAll(backend, [params, table]);
  }
}

/**
 * y = relu?(conv2d(x, w) + bias) for float32 NHWC x and w [KH, KW, CI, CO],
 * or undefined where this backend's memory cannot be imported.
 */
export function conv2dSimd(
  backend: WasmBackendLike,
  x: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  bias: TensorInfo | undefined,
  relu: boolean,
): TensorInfo | undefined {
  const module = simdModule(backend);
  if (module === undefined) return undefined;
  const { batchSize: N, inHeight: IH, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  if (N * OH * OW * CO * CI === 0) return undefined;
  const pt = info.padInfo.top;
  let input: ConvInput | undefined;
  const out = backend.makeOutput([N, OH, OW, CO], 'float32');
  try {
    input = convInput(backend, module, x, info);
    const { rowWidth } = input;
    convolve(backend, module, {
      x: input.x, images: N, imageBytes: 4 * input.imageFloats, rowBytes: 4 * rowWidth,
      rows: OH, columns: OW, positions: (i) => 4 * (Math.floor(i / OW) * sh * rowWidth + (i % OW) * sw * CI),
      // Padded input row oh·sh + kh is one of x's rows for pt ≤ oh·sh + kh < pt + IH.
      filterRows: (oh) => [pt - oh * sh, pt + IH - oh * sh],
      KH, J: KW * CI, CO, relu, out,
      fillParams: (p, rowFloats) => {
        if (bias !== undefined) p.set(f32(backend, bias).subarray(0, CO), 0);
        const w = f32(backend, filter);
        for (let row = 0; row < KH * KW * CI; row++) p.set(w.subarray(row * CO, row * CO + CO), rowFloats * (1 + row));
      },
    });
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  } finally {
    disposeAll(backend, [input?.scratch]);
  }
}

/**
 * relu?(a·b + bias) (either matrix transposed) for float32 matrices, by the same
 * convolution: a's M rows are M output positions of one image, each reading
 * K contiguous values. A transposed a is copied to rows first; b goes into
 * the padded filter rows either way. Undefined where this backend's memory
 * cannot be imported.
 */
export function matMulSimd(
  backend: WasmBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias?: TensorInfo,
  relu = false,
): TensorInfo | undefined {
  const module = simdModule(backend);
  if (module === undefined) return undefined;
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [M, K] = transposeA ? [ac, ar] : [ar, ac];
  const N = transposeB ? br : bc;
  if (M * K * N === 0) return undefined;
  let aRows: TensorInfo | undefined;
  const out = backend.makeOutput([M, N], 'float32');
  try {
    if (transposeA) {
      aRows = backend.makeOutput([M, K], 'float32');
      const src = f32(backend, a);
      const dst = f32(backend, aRows);
      for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) dst[m * K + k] = src[k * M + m];
    }
    convolve(backend, module, {
      x: heapOffset(backend, aRows ?? a), images: 1, imageBytes: 0, rowBytes: 0,
      rows: M, columns: 1, positions: (m) => 4 * K * m, KH: 1, J: K, CO: N, relu, out,
      fillParams: (p, rowFloats) => {
        if (bias !== undefined) p.set(f32(backend, bias).subarray(0, N), 0);
        const w = f32(backend, b);
        for (let k = 0; k < K; k++) {
          const row = rowFloats * (1 + k);
          if (transposeB) for (let n = 0; n < N; n++) p[row + n] = w[n * K + k];
          else p.set(w.subarray(k * N, k * N + N), row);
        }
      },
    });
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  } finally {
    disposeAll(backend, [aRows]);
  }
}
