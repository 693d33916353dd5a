/**
 * The filter gradient of a 2-D convolution (NHWC, dilation 1) on plain
 * float32 arrays: for the cpu training kernels.
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[n,oh,ow,co]
 *
 * tfjs-backend-cpu computes this with two TensorBuffer.get calls per term,
 * which made it 90% of a LeNet training step there. This walks both arrays
 * in memory order instead, skipping the padding rather than testing for it
 * per term, and sums in float64 (a term count of N·OH·OW, 200,000 for LeNet's
 * first layer, would lose digits in float32).
 */
import type { backend_util } from '@tensorflow/tfjs';

export function conv2dFilterGrad(info: backend_util.Conv2DInfo, x: Float32Array, dy: Float32Array): Float32Array {
  const { batchSize: N, inHeight: IH, inWidth: IW, inChannels: CI } = info;
  const { outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const sums = new Float64Array(FH * FW * CI * CO);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        const dyAt = ((n * OH + oh) * OW + ow) * CO;
        // The filter taps that land inside the image.
        const khFrom = Math.max(0, -ih0);
        const khTo = Math.min(FH, IH - ih0);
        const kwFrom = Math.max(0, -iw0);
        const kwTo = Math.min(FW, IW - iw0);
        for (let kh = khFrom; kh < khTo; kh++) {
          for (let kw = kwFrom; kw < kwTo; kw++) {
            const xAt = ((n * IH + ih0 + kh) * IW + iw0 + kw) * CI;
            let wAt = (kh * FW + kw) * CI * CO;
            for (let ci = 0; ci < CI; ci++, wAt += CO) {
              const xv = x[xAt + ci];
              if (xv === 0) continue;
              for (let co = 0; co < CO; co++) sums[wAt + co] += xv * dy[dyAt + co];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(sums);
}
