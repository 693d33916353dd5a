/**
 * Conv2DBackpropFilter for tfjs-backend-wasm (which 4.22 lacks), built from
 * the backend's XNNPACK kernels.
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·sh+kh, ow·sw+kw, ci] · dy[n,oh,ow,co]
 *
 * The ways to evaluate it:
 *
 * - 'simd' (default where the backend's memory can be imported, which is
 *   always with tfjs-backend-wasm 4.22): our own WebAssembly SIMD kernel
 *   (./simd/), which walks x and dy once in place on the backend's heap with
 *   the small dW held in register tiles; copies only a padded x when the
 *   convolution pads. The batch is split over our threads.
 * - 'xnnpack' (the fallback of 'auto'): 'conv' where it applies and its
 *   copies fit the budget, else 'im2col'.
 * - 'conv': the sum is itself a forward
 *   convolution, with the batch as the channel axis. With
 *   xT = x transposed to [CI, IH, IW, N] and dyT = dy transposed to
 *   [OH, OW, N, CO], dW (as [CI, KH, KW, CO]) = conv2d(xT, dyT, stride 1,
 *   dilation = the original stride, the original top/left padding). XNNPACK
 *   then does the im2col work through its indirection buffer, in native code.
 *   The bottom/right padding must come out ≥ 0, which fails only when the
 *   forward convolution dropped trailing input rows/columns.
 * - 'im2col': colsᵀ[K, M] (K = KH·KW·CI, M = N·OH·OW) is written by a JS loop
 *   on the wasm heap, then dW[K, CO] = colsᵀ · dy[M, CO] is one BatchMatMul
 *   (XNNPACK path: batch 1, no transposes), in pieces of output rows past
 *   the budget. General (any kernel, stride, padding, channels); the fallback.
 */
import { backend_util, BatchMatMul, Conv2D, Transpose } from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { filterGradArgs, product, sameShape } from '../shared/checks';
import { asWasmBackend, callKernel, disposeAll, f32, view } from './backend';
import type { WasmBackendLike } from './backend';
import { filterGradSimd } from './simd/filterGradSimd';

export type BackpropFilterMethod = 'auto' | 'simd' | 'xnnpack' | 'conv' | 'im2col';

export interface BackpropFilterOptions {
  method: BackpropFilterMethod;
  /** Largest im2col buffer in float32 elements (larger work is split), and the most the 'conv' form's copies may take in 'auto'. */
  im2colBudget: number;
}

type Conv2DInfo = backend_util.Conv2DInfo;

export function makeConv2DBackpropFilter(options: BackpropFilterOptions): KernelFunc {
  return (args) => {
    const backend = asWasmBackend(args.backend);
    const { x, dy, info } = filterGradArgs('Conv2DBackpropFilter (wasm)', args);
    const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
    if (info.batchSize * info.outHeight * info.outWidth * info.inChannels * info.outChannels === 0) {
      const zeros = backend.makeOutput(filterShape, 'float32');
      f32(backend, zeros).fill(0);
      return zeros;
    }
    if (options.method === 'auto' || options.method === 'simd') {
      const result = filterGradSimd(backend, x, dy, info, filterShape);
      if (result !== undefined) return result;
      if (options.method === 'simd') {
        throw new Error("Conv2DBackpropFilter (wasm): the 'simd' method cannot use this backend's memory.");
      }
    }
    // The convolution form copies x and dy (transposed), and XNNPACK packs
    // the dy copy once more as its filter: with many channels and large
    // batches that is hundreds of MB on a heap of at most 4 GB, where im2col
    // works in pieces within the budget (and measured as fast or faster there
    // under Node: 3×3 32→64 and 5×5 64→128 at batch 64, 9×9 128→128 at 32).
    const convCopies = product(x.shape) + 2 * product(dy.shape);
    const useConv = options.method !== 'im2col' && convPadding(info) !== undefined &&
      (options.method === 'conv' || convCopies <= options.im2colBudget);
    if (options.method === 'conv' && !useConv) {
      throw new Error('Conv2DBackpropFilter (wasm): the convolution method cannot express this padding.');
    }
    return useConv
      ? viaConvolution(backend, x, dy, info, filterShape)
      : viaIm2col(backend, x, dy, info, filterShape, options.im2colBudget);
  };
}

// ---------------------------------------------------------------------------
// 'conv'

/** Bottom/right padding of the xT ⊛ dyT convolution, or undefined if negative. */
function convPadding(info: Conv2DInfo): { bottom: number; right: number } | undefined {
  const bottom = info.filterHeight - info.inHeight - info.padInfo.top + (info.outHeight - 1) * info.strideHeight;
  const right = info.filterWidth - info.inWidth - info.padInfo.left + (info.outWidth - 1) * info.strideWidth;
  return bottom >= 0 && right >= 0 ? { bottom, right } : undefined;
}

function viaConvolution(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
  filterShape: number[],
): TensorInfo {
  const pad = convPadding(info);
  if (pad === undefined) throw new Error('Conv2DBackpropFilter (wasm): internal padding error.');
  const { inChannels: CI, filterHeight: KH, filterWidth: KW, outChannels: CO } = info;
  let xT: TensorInfo | undefined;
  let dyT: TensorInfo | undefined;
  let out: TensorInfo | undefined;
  try {
    xT = callKernel(Transpose, backend, { x }, { perm: [3, 1, 2, 0] });
    dyT = callKernel(Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] });
    out = callKernel(
      Conv2D,
      backend,
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [info.padInfo.top, pad.bottom],
          [info.padInfo.left, pad.right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [info.strideHeight, info.strideWidth],
      },
    );
    if (!sameShape(out.shape, [CI, KH, KW, CO])) {
      throw new Error(`Conv2DBackpropFilter (wasm): internal shape error [${out.shape.join(', ')}].`);
    }
    if (CI === 1) {
      const result = view(out, filterShape);
      out = undefined; // handed to the caller
      return result;
    }
    return callKernel(Transpose, backend, { x: out }, { perm: [1, 2, 0, 3] });
  } finally {
    disposeAll(backend, [xT, dyT, out]);
  }
}

// ---------------------------------------------------------------------------
// 'im2col'

/**
 * Writes colsᵀ for output rows [r0, r1) of the whole batch (row r = n·OH + oh):
 * row (kh, kw, ci) of colsᵀ, column c = (r − r0)·OW + ow, holds
 * xpad[n, oh·sh + kh, ow·sw + kw, ci].
 */
function im2colTransposed(x: Float32Array, cols: Float32Array, r0: number, r1: number, info: Conv2DInfo): void {
  const { inHeight: IH, inWidth: IW, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const mc = (r1 - r0) * OW;
  const step = sw * CI;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      // Output columns whose input column ow·sw + kw − pl lies inside [0, IW).
      const owLo = Math.min(OW, Math.max(0, Math.ceil((pl - kw) / sw)));
      const owHi = Math.max(owLo, Math.min(OW, Math.ceil((IW + pl - kw) / sw)));
      for (let ci = 0; ci < CI; ci++) {
        let dst = ((kh * KW + kw) * CI + ci) * mc;
        for (let r = r0; r < r1; r++, dst += OW) {
          const n = Math.floor(r / OH);
          const ih = (r - n * OH) * sh + kh - pt;
          if (ih < 0 || ih >= IH) {
            cols.fill(0, dst, dst + OW);
            continue;
          }
          for (let ow = 0; ow < owLo; ow++) cols[dst + ow] = 0;
          let src = ((n * IH + ih) * IW + owLo * sw + kw - pl) * CI + ci;
          for (let ow = owLo; ow < owHi; ow++, src += step) cols[dst + ow] = x[src];
          for (let ow = owHi; ow < OW; ow++) cols[dst + ow] = 0;
        }
      }
    }
  }
}

/**
 * colsᵀ · dy in pieces of whole output rows (of any image), each piece's
 * colsᵀ within `budget` values: a piece's columns are a contiguous row range
 * of dy [M, CO]. Rows rather than images, because one image's colsᵀ alone
 * can be large (a 9×9 filter of 128 channels has 10,368 rows, and padding
 * layers make images larger than 28×28).
 */
function viaIm2col(
  backend: WasmBackendLike,
  x: TensorInfo,
  dy: TensorInfo,
  info: Conv2DInfo,
  filterShape: number[],
  budget: number,
): TensorInfo {
  const { batchSize: N, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const rows = N * OH;
  const chunk = Math.max(1, Math.min(rows, Math.floor(budget / (K * OW))));
  let result: TensorInfo | undefined;
  try {
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const r1 = Math.min(rows, r0 + chunk);
      const mc = (r1 - r0) * OW;
      const whole = r0 === 0 && r1 === rows;
      const cols = backend.makeOutput([1, K, mc], 'float32');
      // The matmul needs the piece's rows of dy as a tensor of their own.
      const dyPart = whole ? undefined : backend.makeOutput([1, mc, CO], 'float32');
      let partial: TensorInfo;
      try {
        im2colTransposed(f32(backend, x), f32(backend, cols), r0, r1, info);
        if (dyPart !== undefined) {
          f32(backend, dyPart).set(f32(backend, dy).subarray(r0 * OW * CO, r1 * OW * CO));
        }
        const b = dyPart ?? view(dy, [1, mc, CO]);
        partial = callKernel(BatchMatMul, backend, { a: cols, b }, { transposeA: false, transposeB: false });
      } finally {
        disposeAll(backend, [cols, dyPart]);
      }
      if (result === undefined) {
        result = partial;
      } else {
        const acc = f32(backend, result);
        const add = f32(backend, partial);
        for (let i = 0; i < acc.length; i++) acc[i] += add[i];
        backend.disposeData(partial.dataId);
      }
    }
  } catch (e) {
    disposeAll(backend, [result]);
    throw e;
  }
  if (result === undefined) throw new Error('Conv2DBackpropFilter (wasm): empty batch.');
  // [1, K, CO] is already [KH, KW, CI, CO] in memory.
  return view(result, filterShape);
}
