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
import { channelBlocks } from './filterGradSimd';
import { heapOffset, runParts, simdModule, splitRange, type SimdCall } from './simdModule';

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
  const { batchSize: N, inHeight: IH, inWidth: IW, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  if (N * OH * OW * CO * CI === 0) return undefined;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // The input rows and columns the convolution reads, padding included.
  const IHn = (OH - 1) * sh + KH;
  const IWn = (OW - 1) * sw + KW;
  const direct = pt === 0 && pl === 0 && IHn <= IH && IWn <= IW;
  const J = KW * CI;
  const COV = Math.ceil(CO / 4);
  const rowFloats = 4 * COV;
  let xp: TensorInfo | undefined;
  // The bias, then the filter, each row of CO values padded to whole vectors.
  let params: TensorInfo | undefined;
  // Each output position's byte offset in its image's (padded) input.
  let table: TensorInfo | undefined;
  const out = backend.makeOutput([N, OH, OW, CO], 'float32');
  try {
    params = backend.makeOutput([rowFloats * (1 + KH * J)], 'float32');
    table = backend.makeOutput([OH * OW], 'int32');
    if (!direct) xp = backend.makeOutput([N * IHn * IWn * CI], 'float32');
    // Views after the allocations: growing the heap detaches earlier ones.
    const p = f32(backend, params);
    p.fill(0);
    if (bias !== undefined) p.set(f32(backend, bias).subarray(0, CO), 0);
    const w = f32(backend, filter);
    for (let row = 0; row < KH * J; row++) p.set(w.subarray(row * CO, row * CO + CO), rowFloats * (1 + row));
    let xUse = heapOffset(backend, x);
    let rowW = IW;
    let img = IH * IW * CI;
    if (xp !== undefined) {
      const xOff = xUse;
      xUse = heapOffset(backend, xp);
      module.exports.pad(xOff, xUse, N, IH, IW, CI, IHn, IWn, pt, pl);
      rowW = IWn;
      img = IHn * IWn * CI;
    }
    const positions = backend.typedArrayFromHeap(table);
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) positions[oh * OW + ow] = 4 * CI * (oh * sh * rowW + ow * sw);
    }
    const pOff = heapOffset(backend, params);
    const tableOff = heapOffset(backend, table);
    const outOff = heapOffset(backend, out);
    const blocks = channelBlocks(CO);
    /** Images [n0, n0 + count). */
    const calls = (n0: number, count: number): SimdCall[] =>
      count === 0 ? [] : blocks.map(([v0, tc], b) => {
        const { name, tk } = convFunc(tc, b === blocks.length - 1 ? CO % 4 : 0);
        return [name, [
          xUse + 4 * img * n0, pOff + 16 * (COV + v0), pOff + 16 * v0, outOff + 4 * OH * OW * CO * n0 + 16 * v0,
          count, tableOff, Math.floor((OH * OW) / tk), (OH * OW) % tk, KH, J,
          4 * img, 4 * rowW * CI, 4 * rowFloats, 4 * CO, relu ? 1 : 0,
        ]];
      });
    runParts(module, splitRange(N, module.parts).map(([n0, count]) => calls(n0, count)));
    return out;
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  } finally {
    disposeAll(backend, [xp, params, table]);
  }
}
