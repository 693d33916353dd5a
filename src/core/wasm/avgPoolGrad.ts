/**
 * AvgPoolGrad for tfjs-backend-wasm in plain JS on the wasm heap.
 *
 * Same semantics as the backend's (and the cpu backend's) kernel: every dy
 * value is spread over its window with weight 1 / (filterHeight·filterWidth),
 * padding included in the count. The backend's C++ version goes through a
 * generic 3D pooling loop and was the slowest kernel of a LeNet step after
 * the convolutions; this one is a direct scatter.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { AvgPoolGradAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { asWasmBackend, checkConvArgs, f32 } from './backend';

export const avgPoolGrad: KernelFunc = (args) => {
  const backend = asWasmBackend(args.backend);
  const { dy, input } = args.inputs as { dy?: TensorInfo; input?: TensorInfo };
  if (dy === undefined || input === undefined) throw new Error('AvgPoolGrad (wasm): needs inputs dy and input.');
  checkConvArgs('AvgPoolGrad', undefined, undefined, { dy, input });
  const { filterSize, strides, pad } = args.attrs as unknown as AvgPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
  );
  const { batchSize: N, inHeight: IH, inWidth: IW, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  if (dy.shape.join() !== [N, OH, OW, C].join()) {
    throw new Error(`AvgPoolGrad (wasm): dy has shape [${dy.shape.join(', ')}], expected [${[N, OH, OW, C].join(', ')}].`);
  }
  const out = backend.makeOutput(input.shape.slice(), 'float32');
  const dx = f32(backend, out);
  const g = f32(backend, dy);
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
              for (let c = 0; c < C; c++) dx[dst + c] = g[src + c] * scale;
            } else {
              for (let c = 0; c < C; c++) dx[dst + c] += g[src + c] * scale;
            }
          }
        }
      }
    }
  }
  return out;
};
