/**
 * AvgPool and AvgPoolGrad for tfjs-backend-wasm: where the windows tile the
 * input (LeNet's 2×2 pools), our SIMD module
 * (./simd/poolSimd.ts); otherwise the shared JS scatter for the gradient and
 * the backend's own AvgPool.
 */
import { AvgPool, backend_util } from '@tensorflow/tfjs';
import type { AvgPoolAttrs, AvgPoolGradAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { avgPoolGradInfo, scatterAvgPoolGrad } from '../shared/avgPoolGrad';
import { callReplaced } from '../shared/registry';
import { asWasmBackend, f32, WASM } from './backend';
import { avgPoolGradSimd, avgPoolSimd, windowsTile } from './simd/poolSimd';

export const avgPoolGrad: KernelFunc = (args) => {
  const backend = asWasmBackend(args.backend);
  const inputs = args.inputs as { dy?: TensorInfo; input?: TensorInfo };
  const info = avgPoolGradInfo('AvgPoolGrad (wasm)', inputs, args.attrs as unknown as AvgPoolGradAttrs);
  const out = backend.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  const dy = inputs.dy as TensorInfo;
  if (windowsTile(info) && avgPoolGradSimd(backend, dy, out, info)) return out;
  // Views after the allocation: growing the heap detaches earlier ones.
  scatterAvgPoolGrad(info, f32(backend, dy), f32(backend, out));
  return out;
};

export function makeAvgPool(replaced: KernelConfig | undefined): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    const attrs = args.attrs as unknown as AvgPoolAttrs;
    if (x !== undefined && x.dtype === 'float32' && x.shape.length === 4) {
      const info = backend_util.computePool2DInfo(
        x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
      );
      const out = windowsTile(info) ? avgPoolSimd(asWasmBackend(args.backend), x, info) : undefined;
      if (out !== undefined) return out;
    }
    return callReplaced(AvgPool, WASM, replaced, args);
  };
}
