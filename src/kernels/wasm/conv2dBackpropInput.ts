/**
 * Conv2DBackpropInput for tfjs-backend-wasm as a forward convolution, by the
 * Conv2D kernel registered for wasm (ours, ./conv2d.ts, where it applies)
 * (the backend's own kernel is a naive loop).
 *
 *   dx[i] = Σ_k dyUp[i + pad − k] · w[k]
 *
 * is a correlation of dyUp (dy with sh−1 / sw−1 zeros inserted between rows /
 * columns when the stride is > 1) with the filter rotated by 180° and its
 * channel axes swapped, W'[kh,kw,co,ci] = W[KH−1−kh, KW−1−kw, ci, co], padded
 * by KH−1−top at the top and IH−1+top−(OH−1)·sh at the bottom (likewise for
 * the width).
 *
 * With one input channel a convolution would compute a single output
 * channel; a depthwise XNNPACK convolution over dy's CO channels (with W' as
 * the depthwise filter) followed by a sum over the channels is cheaper.
 *
 * Paddings that make those pads negative (explicit padding larger than the
 * filter, or a forward convolution whose windows start inside the bottom/right
 * padding) go to the replaced kernel. 'same' and 'valid' padding never do, at
 * any kernel size and stride ('same' pads at most KH−1 rows in all, 'valid'
 * none). Any channel counts.
 */
import { Conv2D, DepthwiseConv2dNative, Sum } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { backwardConvInfo, checkConvArgs, sameShape, type Shape4 } from '../shared/checks';
import { asWasmBackend, callKernel, disposeAll, f32 } from './backend';

export interface BackpropInputOptions {
  /** Use the depthwise form when the convolution has one input channel. */
  depthwiseForOneChannel: boolean;
  /** Largest upsampled dy in float32 elements (strides > 1); larger batches are split. */
  scratchBudget: number;
}

export function makeConv2DBackpropInput(replaced: KernelConfig | undefined, options: BackpropInputOptions): KernelFunc {
  return (args) => {
    const backend = asWasmBackend(args.backend);
    const { dy, filter } = args.inputs as { dy?: TensorInfo; filter?: TensorInfo };
    if (dy === undefined || filter === undefined) {
      throw new Error('Conv2DBackpropInput (wasm): needs inputs dy and filter.');
    }
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    checkConvArgs('Conv2DBackpropInput (wasm)', args.attrs, attrs.dataFormat, { dy, filter });
    const info = backwardConvInfo('Conv2DBackpropInput (wasm)', attrs.inputShape, filter.shape as Shape4, attrs, dy);
    const { batchSize: N, inHeight: IH, inWidth: IW, inChannels: CI } = info;
    const { outHeight: OH, outWidth: OW, outChannels: CO } = info;
    const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
    const upH = (OH - 1) * sh + 1;
    const upW = (OW - 1) * sw + 1;
    const padTop = KH - 1 - info.padInfo.top;
    const padLeft = KW - 1 - info.padInfo.left;
    const padBottom = IH - 1 + info.padInfo.top - (OH - 1) * sh;
    const padRight = IW - 1 + info.padInfo.left - (OW - 1) * sw;
    const expressible =
      N * OH * OW * CI * CO > 0 && padTop >= 0 && padLeft >= 0 && padBottom >= 0 && padRight >= 0;
    if (!expressible) {
      if (replaced === undefined) {
        throw new Error('Conv2DBackpropInput (wasm): this padding is not supported.');
      }
      return replaced.kernelFunc(args);
    }

    const strided = sh !== 1 || sw !== 1;
    // With strides > 1 the upsampled dy holds ≈ sh·sw times dy's values
    // (stride 3: 9×); past the scratch budget it is made for pieces of the
    // batch, each piece's dx copied into place.
    const per = strided ? Math.max(1, Math.min(N, Math.floor(options.scratchBudget / (upH * upW * CO)))) : N;
    const convAttrs = {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ],
      dilations: [1, 1],
    };
    const rotated = backend.makeOutput([KH, KW, CO, CI], 'float32');
    /** dx of images [start, start + count): dy's, upsampled when strided. */
    const inputGrad = (start: number, count: number): TensorInfo => {
      const upsampled = strided ? backend.makeOutput([count, upH, upW, CO], 'float32') : undefined;
      let perChannel: TensorInfo | undefined;
      try {
        if (upsampled !== undefined) {
          const dyValues = f32(backend, dy).subarray(start * OH * OW * CO, (start + count) * OH * OW * CO);
          upsample(dyValues, f32(backend, upsampled), count, OH, OW, CO, sh, sw);
        }
        const input = upsampled ?? dy;
        let dx: TensorInfo;
        if (CI === 1 && options.depthwiseForOneChannel) {
          // rotated [KH, KW, CO, 1] is a depthwise filter with multiplier 1.
          perChannel = callKernel(DepthwiseConv2dNative, backend, { x: input, filter: rotated }, convAttrs);
          dx = callKernel(Sum, backend, { x: perChannel }, { axis: [3], keepDims: true });
        } else {
          dx = callKernel(Conv2D, backend, { x: input, filter: rotated }, { ...convAttrs, dataFormat: 'NHWC' });
        }
        if (!sameShape(dx.shape, [count, IH, IW, CI])) {
          backend.disposeData(dx.dataId);
          throw new Error(`Conv2DBackpropInput (wasm): internal shape error [${dx.shape.join(', ')}].`);
        }
        return dx;
      } finally {
        disposeAll(backend, [upsampled, perChannel]);
      }
    };
    try {
      rotateFilter(f32(backend, filter), f32(backend, rotated), KH, KW, CI, CO);
      if (per >= N) return inputGrad(0, N);
      const dx = backend.makeOutput([N, IH, IW, CI], 'float32');
      try {
        const imageSize = IH * IW * CI;
        for (let start = 0; start < N; start += per) {
          const part = inputGrad(start, Math.min(per, N - start));
          // Views after the allocations: growing the heap detaches earlier ones.
          f32(backend, dx).set(f32(backend, part), start * imageSize);
          backend.disposeData(part.dataId);
        }
      } catch (e) {
        backend.disposeData(dx.dataId);
        throw e;
      }
      return dx;
    } finally {
      disposeAll(backend, [rotated]);
    }
  };
}

/** r[kh,kw,co,ci] = w[KH−1−kh, KW−1−kw, ci, co] */
function rotateFilter(w: Float32Array, r: Float32Array, KH: number, KW: number, CI: number, CO: number): void {
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const src = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
      const dst = (kh * KW + kw) * CO * CI;
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) r[dst + co * CI + ci] = w[src + ci * CO + co];
      }
    }
  }
}

/** u[n, oh·sh, ow·sw, :] = d[n, oh, ow, :], zeros elsewhere. */
function upsample(
  d: Float32Array,
  u: Float32Array,
  N: number,
  OH: number,
  OW: number,
  CO: number,
  sh: number,
  sw: number,
): void {
  const upH = (OH - 1) * sh + 1;
  const upW = (OW - 1) * sw + 1;
  u.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const s = ((n * OH + oh) * OW + ow) * CO;
        const t = ((n * upH + oh * sh) * upW + ow * sw) * CO;
        for (let co = 0; co < CO; co++) u[t + co] = d[s + co];
      }
    }
  }
}
