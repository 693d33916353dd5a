/** AvgPoolGrad for tfjs-backend-wasm: the shared JS scatter, on the wasm heap. */
import type { AvgPoolGradAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { avgPoolGradInfo, scatterAvgPoolGrad } from '../shared/avgPoolGrad';
import { asWasmBackend, f32 } from './backend';

export const avgPoolGrad: KernelFunc = (args) => {
  const backend = asWasmBackend(args.backend);
  const inputs = args.inputs as { dy?: TensorInfo; input?: TensorInfo };
  const info = avgPoolGradInfo('AvgPoolGrad (wasm)', inputs, args.attrs as unknown as AvgPoolGradAttrs);
  const out = backend.makeOutput([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32');
  // Views after the allocation: growing the heap detaches earlier ones.
  scatterAvgPoolGrad(info, f32(backend, inputs.dy as TensorInfo), f32(backend, out));
  return out;
};
