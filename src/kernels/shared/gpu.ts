/**
 * What the training kernels of both GPU backends share (../webgl, ../webgpu):
 * the split budget that keeps their intermediates within GPU limits, and a
 * forward convolution's sizes and arguments. What each backend's shader
 * programs look like is in ../webgl/backend.ts and ../webgpu/backend.ts.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { Shape4 } from './checks';

export type GpuBackendName = 'webgl' | 'webgpu';

/**
 * The most float32 values a GPU training kernel puts in one intermediate (patch
 * matrices, per-image products, partial sums): 2^24, 64 MiB. Their size grows
 * with the batch times the filter (a 9×9 convolution of 128 channels at
 * 28×28 has 8 M patch values per image), so unsplit they would outgrow GPU
 * memory, WebGL's largest texture (throwing "Requested texture size … greater
 * than WebGL maximum") and WebGPU's largest buffer binding at batch sizes the
 * editor allows, where tfjs's own backward kernels need none of them. Larger
 * work is split over the batch instead, and where one image alone exceeds the
 * budget (only images that padding layers made larger than 28×28, with large
 * filters) the WebGL kernels hand the call to tfjs's own. The budget fits a
 * 4096×4096 texture even unpacked (tfjs squarifies a tensor's texture as
 * needed). LeNet's layers at batch 256 stay in one piece.
 */
export const DEFAULT_SPLIT_BUDGET = 2 ** 24;

let splitBudget = DEFAULT_SPLIT_BUDGET;
let budgetHitCount = 0;

/** Sets the split budget in float32 values (none: back to the default); for the kernel check, to take the split paths on small cases. */
export function setSplitBudget(values: number = DEFAULT_SPLIT_BUDGET): void {
  if (!(values >= 1)) throw new Error(`GPU training kernels: the split budget must be ≥ 1, got ${values}.`);
  splitBudget = values;
}

export function getSplitBudget(): number {
  return splitBudget;
}

/** Kernel calls so far whose work the budget changed: split, or handed to tfjs's kernel (for the kernel check: those paths did run). */
export function budgetHits(): number {
  return budgetHitCount;
}

/** Records that the budget changed a kernel call's work. */
export function countBudgetHit(): void {
  budgetHitCount++;
}

/**
 * How many images of a batch of `batchSize` one piece of work takes so that
 * an intermediate of `valuesPerImage` values per image stays within `budget`:
 * at least 1, at most the batch; 0 when one image alone exceeds the budget.
 */
export function imagesPerPiece(batchSize: number, valuesPerImage: number, budget: number = splitBudget): number {
  if (valuesPerImage > budget) return 0;
  const fit = valuesPerImage > 0 ? Math.floor(budget / valuesPerImage) : batchSize;
  return Math.max(1, Math.min(batchSize, fit));
}

/** A convolution's sizes as integer constants for shader code. */
export function convConstants(info: backend_util.Conv2DInfo) {
  return {
    N: info.batchSize, IH: info.inHeight, IW: info.inWidth, CI: info.inChannels,
    OH: info.outHeight, OW: info.outWidth, CO: info.outChannels, FH: info.filterHeight, FW: info.filterWidth,
    SH: info.strideHeight, SW: info.strideWidth, PT: info.padInfo.top, PL: info.padInfo.left,
  };
}

/**
 * A Conv2D or FusedConv2D kernel call's x, filter and convolution, when it is
 * one the shaders here handle: float32 rank-4 x and filter, NHWC, dilation 1;
 * undefined for anything else (the caller then runs the backend's own kernel).
 */
export function plainConv2D(args: Parameters<KernelFunc>[0]):
  { x: TensorInfo; filter: TensorInfo; info: backend_util.Conv2DInfo } | undefined {
  const { x, filter } = args.inputs as { x?: TensorInfo; filter?: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DAttrs;
  const dilations = typeof attrs.dilations === 'number' ? [attrs.dilations] : (attrs.dilations ?? [1]);
  const plain = x !== undefined && filter !== undefined && x.dtype === 'float32' && filter.dtype === 'float32' &&
    x.shape.length === 4 && filter.shape.length === 4 && (attrs.dataFormat ?? 'NHWC') === 'NHWC' &&
    dilations.every((d) => d === 1);
  if (!plain) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  return { x, filter, info };
}
