/**
 * The average-pooling gradient as a direct scatter on plain float32 arrays,
 * shared by the wasm and cpu training kernels.
 *
 * Same semantics as tfjs's kernels: every dy value is spread over its window
 * with weight 1 / (filterHeight·filterWidth), padding included in the count.
 * The backends' own versions go through generic pooling loops (wasm) or
 * per-element TensorBuffer calls (cpu) and were among the slowest kernels of
 * a LeNet step.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { AvgPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { checkConvArgs } from './checks';

/** Checks the arguments and returns the pooling they describe; `opName` names kernel and backend. */
export function avgPoolGradInfo(
  opName: string,
  inputs: { dy?: TensorInfo; input?: TensorInfo },
  attrs: AvgPoolGradAttrs,
): backend_util.Conv2DInfo {
  const { dy, input } = inputs;
  if (dy === undefined || input === undefined) throw new Error(`${opName}: needs inputs dy and input.`);
  checkConvArgs(opName, undefined, undefined, { dy, input });
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
  );
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
  if (dy.shape.join() !== expected.join()) {
    throw new Error(`${opName}: dy has shape [${dy.shape.join(', ')}], expected [${expected.join(', ')}].`);
  }
  return info;
}

/** Writes the gradient for pooling `info` from `dy` into every element of `dx`. */
export function scatterAvgPoolGrad(info: backend_util.Conv2DInfo, dy: Float32Array, dx: Float32Array): void {
  const { batchSize: N, inHeight: IH, inWidth: IW, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const scale = 1 / (FH * FW);
  // Windows that neither overlap nor leave gaps (LeNet's 2x2 stride 2): each
  // dx element is written once, no zeroing or accumulation needed.
  const tiles = sh === FH && sw === FW && pt === 0 && pl === 0 && OH * sh === IH && OW * sw === IW;
  if (!tiles) dx.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = Math.max(0, oh * sh - pt);
      const h1 = Math.min(IH, oh * sh - pt + FH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = Math.max(0, ow * sw - pl);
        const w1 = Math.min(IW, ow * sw - pl + FW);
        const src = ((n * OH + oh) * OW + ow) * C;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const dst = ((n * IH + ih) * IW + iw) * C;
            if (tiles) {
              for (let c = 0; c < C; c++) dx[dst + c] = dy[src + c] * scale;
            } else {
              for (let c = 0; c < C; c++) dx[dst + c] += dy[src + c] * scale;
            }
          }
        }
      }
    }
  }
}
