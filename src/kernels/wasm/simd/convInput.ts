/**
 * What the SIMD convolution kernels share about their input: the channel
 * blocks they work in, and the input as they read it (x itself, or a
 * zero-bordered copy where the convolution pads).
 */
import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackendLike } from '../backend';
import { heapOffset, type SimdModule } from './simdModule';

/** Channel blocks of at most 4 f32x4 vectors: [first vector, vectors]. */
export function channelBlocks(co: number): Array<[number, number]> {
  const vectors = Math.ceil(co / 4);
  const blocks: Array<[number, number]> = [];
  for (let v = 0; v < vectors; v += 4) blocks.push([v, Math.min(4, vectors - v)]);
  return blocks;
}

export interface ConvInput {
  /** Byte offset of image 0. */
  x: number;
  /** Floats per input row and per image, as read. */
  rowWidth: number;
  imageFloats: number;
  /** The padded copy (the caller disposes it), if one was made. */
  scratch?: TensorInfo;
}

/**
 * x as the convolution reads it: the rows and columns it reads, padding
 * included, copied with zero borders by the module's `pad` where it pads,
 * else x in place. `extraFloats` more floats are allocated past the copy for
 * a kernel's over-read.
 */
export function convInput(
  backend: WasmBackendLike,
  module: SimdModule,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  extraFloats = 0,
): ConvInput {
  const { batchSize: N, inHeight: IH, inWidth: IW, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { top: pt, left: pl } = info.padInfo;
  const IHn = (OH - 1) * info.strideHeight + info.filterHeight;
  const IWn = (OW - 1) * info.strideWidth + info.filterWidth;
  if (pt === 0 && pl === 0 && IHn <= IH && IWn <= IW) {
    return { x: heapOffset(backend, x), rowWidth: IW * CI, imageFloats: IH * IW * CI };
  }
  const scratch = backend.makeOutput([N * IHn * IWn * CI + extraFloats], 'float32');
  module.exports.pad(heapOffset(backend, x), heapOffset(backend, scratch), N, IH, IW, CI, IHn, IWn, pt, pl);
  return { x: heapOffset(backend, scratch), rowWidth: IWn * CI, imageFloats: IHn * IWn * CI, scratch };
}
