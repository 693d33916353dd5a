/**
 * Convolution training kernels for tfjs's WebGL backend, all three written as
 * the backend's packed batched matrix product plus a cheap gather or scatter
 * (and the bias gradient's Sum as one, at the end of this file):
 *
 *   patches[n, k, m] = x[n, oh·sh+kh−pt, ow·sw+kw−pl, ci]   (0 outside the image)
 *     with k = (kh·KW + kw)·CI + ci, m = oh·OW + ow
 *   forward:          y[n, m, :]  = patches[n]ᵀ · W             (W as [K, CO])
 *   filter gradient:  dW          = Σ_n patches[n] · dy[n]       (dy as [M, CO])
 *   input gradient:   dx          = col2im(dy[n] · Wᵀ)           ([M, K] per image)
 *
 * Why: on WebGL a texture fetch is the expensive part, and the packed matrix
 * product reads four values per fetch. tfjs 4.22 computes the filter gradient
 * and, for input channel counts that are not a multiple of 4 (LeNet's 1 and 6),
 * the input gradient one value per fetch, one output per thread; its forward
 * convolution packs an unpacked input (a pooling layer's output) in an extra
 * pass first. Measured on SwiftShader, batch 256, LeNet's second layer: filter
 * gradient 3–4× faster than tfjs's, input gradient and forward about 1.5×.
 *
 * Every geometry the architecture editor makes (kernel 1–9, stride 1–3,
 * 'same', 'valid' or explicit padding, 1–128 channels, outputs down to 1×1)
 * runs through the same programs: the gather and the scatter check each
 * tap's bounds, and nothing is tiled or specialised to stride 1 or to channel
 * counts. Large batches × filters are split over the batch (see "Splitting
 * over the batch" below).
 */
import {
  _FusedMatMul, Add, backend_util, BatchMatMul, Concat, Conv2DBackpropFilter, Conv2DBackpropInput, engine, env, Fill, Reshape, Slice,
  Sum, util,
} from '@tensorflow/tfjs';
import type {
  Conv2DBackpropInputAttrs, FusedConv2DAttrs, KernelConfig, KernelFunc, SumAttrs, TensorInfo,
} from '@tensorflow/tfjs';
import { backwardConvInfo, checkConvArgs, filterGradArgs, product, sameShape } from '../shared/checks';
import type { Shape4 } from '../shared/checks';
import { callBackendKernel, singleOutput } from '../shared/registry';
import { convConstants, countBudgetHit, imagesPerPiece, plainConv2D } from '../shared/gpu';
import type { WebGLBackendLike, WebGLProgramLike } from './backend';

type Conv2DInfo = backend_util.Conv2DInfo;

const taps = (info: Conv2DInfo) => info.filterHeight * info.filterWidth * info.inChannels;
const positions = (info: Conv2DInfo) => info.outHeight * info.outWidth;

/** x's patches, [N, K, M], packed: each texel holds taps k, k+1 at positions m, m+1. */
function im2ColProgram(info: Conv2DInfo): WebGLProgramLike {
  const c = convConstants(info);
  const K = taps(info);
  const M = positions(info);
  const value = (row: number, col: number) => `
        k = rc.y + ${row};
        m = rc.z + ${col};
        if (k < ${K} && m < ${M}) {
          ci = k - (k / ${c.CI}) * ${c.CI};
          tap = k / ${c.CI};
          kw = tap - (tap / ${c.FW}) * ${c.FW};
          kh = tap / ${c.FW};
          oh = m / ${c.OW};
          ow = m - oh * ${c.OW};
          ih = oh * ${c.SH} - ${c.PT} + kh;
          iw = ow * ${c.SW} - ${c.PL} + kw;
          if (ih >= 0 && ih < ${c.IH} && iw >= 0 && iw < ${c.IW}) result[${row * 2 + col}] = getX(rc.x, ih, iw, ci);
        }`;
  return {
    variableNames: ['x'],
    outputShape: [c.N, K, M],
    packedInputs: false,
    packedOutput: true,
    userCode: `
      void main() {
        ivec3 rc = getOutputCoords();
        vec4 result = vec4(0.0);
        int k, m, ci, tap, kw, kh, oh, ow, ih, iw;
        ${value(0, 0)}${value(0, 1)}${value(1, 0)}${value(1, 1)}
        setOutput(result);
      }`,
  };
}

/**
 * The reverse of im2ColProgram, from the patches' gradient dy · Wᵀ ([N, M, K],
 * packed): dx[n, ih, iw, ci] adds the entries of every patch that read x there.
 */
function col2ImProgram(info: Conv2DInfo): WebGLProgramLike {
  const c = convConstants(info);
  return {
    variableNames: ['dPatches'],
    outputShape: [c.N, c.IH, c.IW, c.CI],
    packedInputs: true,
    packedOutput: false,
    userCode: `
      void main() {
        ivec4 coords = getOutputCoords();
        int n = coords.x;
        int ih = coords.y;
        int iw = coords.z;
        int ci = coords.w;
        float sum = 0.0;
        for (int kh = 0; kh < ${c.FH}; kh++) {
          int rowOffset = ih + ${c.PT} - kh;
          if (rowOffset < 0) break;
          int oh = rowOffset / ${c.SH};
          if (oh * ${c.SH} != rowOffset || oh >= ${c.OH}) continue;
          for (int kw = 0; kw < ${c.FW}; kw++) {
            int colOffset = iw + ${c.PL} - kw;
            if (colOffset < 0) break;
            int ow = colOffset / ${c.SW};
            if (ow * ${c.SW} != colOffset || ow >= ${c.OW}) continue;
            int m = oh * ${c.OW} + ow;
            int k = (kh * ${c.FW} + kw) * ${c.CI} + ci;
            sum += getChannel(getDPatches(n, m, k), vec2(m, k));
          }
        }
        setOutput(sum);
      }`,
  };
}

const call = (kernelName: string, backend: WebGLBackendLike, inputs: Record<string, TensorInfo>, attrs: object) =>
  callBackendKernel('webgl', kernelName, backend, inputs, attrs as never);

/** Returns `result` after freeing the intermediates that led to it. */
function freeing(backend: WebGLBackendLike, intermediates: TensorInfo[], result: TensorInfo): TensorInfo {
  for (const t of intermediates) backend.disposeData(t.dataId);
  return result;
}

/**
 * The forward pass's patches, kept for the filter gradient of the same input:
 * autodiff hands the forward's x back to Conv2DBackpropFilter, and building
 * the patches is about half of that kernel's time. Kept only while a gradient
 * is being recorded (not for inference), keyed by the convolution's geometry
 * without the batch size, freed once the gradient has used them or when the
 * next forward pass with that geometry replaces them, and never more than
 * KEPT_PATCH_BYTES in all (oldest dropped first; a gradient without kept
 * patches builds its own). So this holds one patch matrix per layer between
 * a training step's forward and backward passes (LeNet at batch 256: 20 and
 * 15 MB), the way tfjs keeps a layer's activations for the backward pass,
 * and large batches simply do not reuse.
 */
const forwardPatches = new Map<string, { x: TensorInfo; patches: TensorInfo }>();
const KEPT_PATCH_BYTES = 96 * 2 ** 20;

const bytes = (t: TensorInfo) => product(t.shape) * 4;

/** How many patch matrices are kept now (for the kernel check: none should outlive their backward pass). */
export function keptPatchCount(): number {
  return forwardPatches.size;
}

function geometryKey(info: Conv2DInfo): string {
  const { IH, IW, CI, FH, FW, CO, SH, SW, PT, PL } = convConstants(info);
  return [IH, IW, CI, FH, FW, CO, SH, SW, PT, PL].join(',');
}

function dropPatches(backend: WebGLBackendLike, key: string): void {
  const kept = forwardPatches.get(key);
  if (kept) backend.disposeData(kept.patches.dataId);
  forwardPatches.delete(key);
}

/** Keeps `patches` for x's filter gradient when autodiff is recording and they fit; frees them otherwise. */
function keepPatchesForGradient(backend: WebGLBackendLike, info: Conv2DInfo, x: TensorInfo, patches: TensorInfo): void {
  const key = geometryKey(info);
  dropPatches(backend, key);
  if (engine().state.gradientDepth === 0 || bytes(patches) > KEPT_PATCH_BYTES) {
    backend.disposeData(patches.dataId);
    return;
  }
  forwardPatches.set(key, { x, patches });
  let kept = [...forwardPatches.values()].reduce((sum, entry) => sum + bytes(entry.patches), 0);
  for (const [oldest, entry] of forwardPatches) {
    if (kept <= KEPT_PATCH_BYTES) break;
    kept -= bytes(entry.patches);
    dropPatches(backend, oldest);
  }
}

/** The forward pass's patches of exactly this x (same data, same shape), handed over to the caller; undefined if none are kept. */
function keptPatches(info: Conv2DInfo, x: TensorInfo): TensorInfo | undefined {
  const key = geometryKey(info);
  const kept = forwardPatches.get(key);
  if (kept && kept.x.dataId === x.dataId && sameShape(kept.x.shape, x.shape)) {
    forwardPatches.delete(key);
    return kept.patches;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Splitting over the batch. The patch matrices and per-image products above
// hold K·M or K·CO values per image (K = KH·KW·CI up to 10,368, M = OH·OW
// up to 784 for 28×28 images and more behind padding layers), so for large
// batches and filters they would outgrow WebGL's largest texture and GPU
// memory (see DEFAULT_SPLIT_BUDGET in ../shared/gpu.ts), where tfjs's own
// backward kernels need no such matrices. Past the split budget the kernels
// below work on pieces of whole images; where one image alone is past it,
// they hand the call to tfjs's own kernel (its direct programs).

/** The same convolution on `count` images. */
function forImages(info: Conv2DInfo, count: number): Conv2DInfo {
  const [, ih, iw, ci] = info.inShape;
  const [, oh, ow, co] = info.outShape;
  return { ...info, batchSize: count, inShape: [count, ih, iw, ci], outShape: [count, oh, ow, co] };
}

/** Images [start, start + count) of a batch-first tensor (the backend's Slice: a view where it can be one). */
function someImages(backend: WebGLBackendLike, t: TensorInfo, start: number, count: number): TensorInfo {
  return call(Slice, backend, { x: t }, { begin: t.shape.map((_, i) => (i === 0 ? start : 0)), size: [count, ...t.shape.slice(1)] });
}

/** `f` on consecutive pieces of at most `per` of `batchSize` images, in order. */
function pieces<T>(batchSize: number, per: number, f: (start: number, count: number) => T): T[] {
  const results: T[] = [];
  for (let start = 0; start < batchSize; start += per) results.push(f(start, Math.min(per, batchSize - start)));
  return results;
}

/** The patches of images [start, start + count) of x. */
function piecePatches(backend: WebGLBackendLike, info: Conv2DInfo, x: TensorInfo, start: number, count: number): TensorInfo {
  const xPart = someImages(backend, x, start, count);
  return freeing(backend, [xPart], backend.runWebGLProgram(im2ColProgram(forImages(info, count)), [xPart], 'float32'));
}

/**
 * tfjs's own Conv2D or FusedConv2D with its direct convolution program:
 * its default, im2col, would build the very patch matrix that is too large.
 */
function withoutIm2Col(replaced: KernelConfig, args: Parameters<KernelFunc>[0]): ReturnType<KernelFunc> {
  const flags = env();
  const im2col = flags.getBool('WEBGL_CONV_IM2COL');
  flags.set('WEBGL_CONV_IM2COL', false);
  try {
    return replaced.kernelFunc(args);
  } finally {
    flags.set('WEBGL_CONV_IM2COL', im2col);
  }
}

/** Pieces' outputs joined along the batch axis, freeing the pieces. */
function joinImages(backend: WebGLBackendLike, parts: TensorInfo[]): TensorInfo {
  if (parts.length === 1) return parts[0];
  return freeing(backend, parts, call(Concat, backend, parts as unknown as Record<string, TensorInfo>, { axis: 0 }));
}

/**
 * Conv2D and FusedConv2D (`replaced` is the backend's own): ours for NHWC,
 * dilation 1, float32 and no PReLU weights; the backend's for the rest.
 * Any kernel size, stride and padding: im2col reads every tap with a bounds
 * check. Split over the batch past the split budget (its patches, K·M values
 * per image); a split forward keeps no patches for the gradient.
 */
export function makeWebGLConv2D(replaced: KernelConfig): KernelFunc {
  return (args) => {
    const conv = plainConv2D(args);
    const { bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    if (!conv || preluActivationWeights !== undefined || product(conv.x.shape) === 0) return replaced.kernelFunc(args);
    const { x, filter, info } = conv;
    const attrs = args.attrs as unknown as Partial<FusedConv2DAttrs>;
    const backend = args.backend as WebGLBackendLike;
    const per = imagesPerPiece(info.batchSize, taps(info) * positions(info));
    if (per === 0) {
      countBudgetHit();
      dropPatches(backend, geometryKey(info)); // a stale entry of this geometry
      return withoutIm2Col(replaced, args);
    }
    const weights = call(Reshape, backend, { x: filter }, { shape: [1, taps(info), info.outChannels] });
    // Without a bias or an activation this is the backend's BatchMatMul (both call batchMatMulImpl).
    const matMul = (patches: TensorInfo) =>
      call(_FusedMatMul, backend, bias ? { a: patches, b: weights, bias } : { a: patches, b: weights }, {
        transposeA: true, transposeB: false, activation: attrs.activation ?? 'linear', leakyreluAlpha: attrs.leakyreluAlpha,
      });
    if (per >= info.batchSize) {
      const patches = backend.runWebGLProgram(im2ColProgram(info), [x], 'float32');
      const rows = matMul(patches);
      keepPatchesForGradient(backend, info, x, patches);
      return freeing(backend, [weights, rows], call(Reshape, backend, { x: rows }, { shape: info.outShape }));
    }
    countBudgetHit();
    dropPatches(backend, geometryKey(info)); // a stale entry of this geometry
    const parts = pieces(info.batchSize, per, (start, count) => {
      const patches = piecePatches(backend, info, x, start, count);
      return freeing(backend, [patches], matMul(patches));
    });
    const rows = joinImages(backend, parts);
    return freeing(backend, [weights, rows], call(Reshape, backend, { x: rows }, { shape: info.outShape }));
  };
}

/**
 * Conv2DBackpropFilter (`replaced` is the backend's own):
 * dW = Σ_n patches[n] · dy[n], the per-image products [N, K, CO] summed.
 * Split over the batch past the split budget (patches K·M and products K·CO
 * values per image), the pieces' sums added up; tfjs's own kernel where one
 * image is past it.
 */
export function makeWebGLConv2DBackpropFilter(replaced: KernelConfig | undefined): KernelFunc {
  return (args) => {
    const { x, dy, info } = filterGradArgs(`${Conv2DBackpropFilter} (webgl)`, args);
    const backend = args.backend as WebGLBackendLike;
    const kept = keptPatches(info, x);
    const per = imagesPerPiece(info.batchSize, taps(info) * Math.max(positions(info), info.outChannels));
    if (per === 0 && replaced !== undefined) {
      countBudgetHit();
      if (kept) backend.disposeData(kept.dataId);
      return replaced.kernelFunc(args);
    }
    return filterGradInPieces(backend, x, dy, info, kept, Math.max(1, per));
  };
}

function filterGradInPieces(
  backend: WebGLBackendLike, x: TensorInfo, dy: TensorInfo, info: Conv2DInfo, kept: TensorInfo | undefined, per: number,
): TensorInfo {
  const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const dyPerImage = call(Reshape, backend, { x: dy }, { shape: [info.batchSize, positions(info), info.outChannels] });
  const filterGrad = (patches: TensorInfo, dyImages: TensorInfo) => {
    const perImage = call(BatchMatMul, backend, { a: patches, b: dyImages }, { transposeA: false, transposeB: false });
    return freeing(backend, [perImage], call(Sum, backend, { x: perImage }, { axis: [0], keepDims: false }));
  };
  if (per >= info.batchSize) {
    const patches = kept ?? backend.runWebGLProgram(im2ColProgram(info), [x], 'float32');
    const summed = filterGrad(patches, dyPerImage);
    return freeing(backend, [patches, dyPerImage, summed], call(Reshape, backend, { x: summed }, { shape: filterShape }));
  }
  countBudgetHit();
  let total: TensorInfo | undefined;
  pieces(info.batchSize, per, (start, count) => {
    const patches = kept ? someImages(backend, kept, start, count) : piecePatches(backend, info, x, start, count);
    const dyPart = someImages(backend, dyPerImage, start, count);
    const summed = freeing(backend, [patches, dyPart], filterGrad(patches, dyPart));
    total = total === undefined ? summed : freeing(backend, [total, summed], call(Add, backend, { a: total, b: summed }, {}));
  });
  const intermediates = kept ? [kept, dyPerImage] : [dyPerImage];
  return freeing(backend, [...intermediates, total!], call(Reshape, backend, { x: total! }, { shape: filterShape }));
}

/**
 * Conv2DBackpropInput (`replaced` is the backend's own):
 * dx = col2im(dy[n] · Wᵀ), the patches' gradient [N, M, K] scattered back.
 * Split over the batch past the split budget (K·M values per image), the
 * pieces' dx joined; tfjs's own kernel where one image is past it.
 */
export function makeWebGLConv2DBackpropInput(replaced: KernelConfig | undefined): KernelFunc {
  return (args) => {
    const opName = `${Conv2DBackpropInput} (webgl)`;
    const { dy, filter } = args.inputs as { dy?: TensorInfo; filter?: TensorInfo };
    if (dy === undefined || filter === undefined) throw new Error(`${opName}: needs inputs dy and filter.`);
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    checkConvArgs(opName, args.attrs, attrs.dataFormat, { dy, filter });
    const info = backwardConvInfo(opName, attrs.inputShape as Shape4, filter.shape as Shape4, attrs, dy);
    const per = imagesPerPiece(info.batchSize, taps(info) * positions(info));
    if (per === 0 && replaced !== undefined) {
      countBudgetHit();
      return replaced.kernelFunc(args);
    }
    return inputGradInPieces(args.backend as WebGLBackendLike, dy, filter, info, Math.max(1, per));
  };
}

function inputGradInPieces(backend: WebGLBackendLike, dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo, per: number): TensorInfo {
  const dyPerImage = call(Reshape, backend, { x: dy }, { shape: [info.batchSize, positions(info), info.outChannels] });
  const weights = call(Reshape, backend, { x: filter }, { shape: [1, taps(info), info.outChannels] });
  const inputGrad = (dyImages: TensorInfo, count: number) => {
    const dPatches = call(BatchMatMul, backend, { a: dyImages, b: weights }, { transposeA: false, transposeB: true });
    return freeing(backend, [dPatches], backend.runWebGLProgram(col2ImProgram(forImages(info, count)), [dPatches], 'float32'));
  };
  if (per >= info.batchSize) return freeing(backend, [dyPerImage, weights], inputGrad(dyPerImage, info.batchSize));
  countBudgetHit();
  const parts = pieces(info.batchSize, per, (start, count) => {
    const dyPart = someImages(backend, dyPerImage, start, count);
    return freeing(backend, [dyPart], inputGrad(dyPart, count));
  });
  return freeing(backend, [dyPerImage, weights], joinImages(backend, parts));
}

/**
 * Sum over every axis but the last, e.g. a convolution's bias gradient (dy
 * summed over images and positions); the backend's Sum for everything else.
 * tfjs first transposes the whole tensor to make the summed axes innermost
 * (LeNet's first layer: 1.2 M values, about 75 ms on SwiftShader). Here each
 * image's column sums are one packed matrix product with a row of ones,
 * [1, R] · [R, C], and the backend's Sum adds up only the [N, C] per-image
 * sums: about 10 ms.
 */
export function makeWebGLSum(replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x?: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x?.shape.length ?? 0;
    const axes = x ? util.parseAxisParam(axis, x.shape).sort((a, b) => a - b) : [];
    const allButLast = rank >= 3 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    if (!x || x.dtype !== 'float32' || !allButLast || product(x.shape) === 0) return replaced.kernelFunc(args);
    const backend = args.backend as WebGLBackendLike;
    const [images, ...rest] = x.shape;
    const channels = rest[rest.length - 1];
    const rows = product(rest) / channels;
    const ones = call(Fill, backend, {}, { shape: [1, 1, rows], value: 1, dtype: 'float32' });
    const perImageInput = call(Reshape, backend, { x }, { shape: [images, rows, channels] });
    // _FusedMatMul with a 'linear' activation, not BatchMatMul: for a row
    // vector times more than 1000 rows (a zero-padded input makes up to
    // 36×36 positions and more) tfjs's BatchMatMul switches to a
    // multiply-and-sum that cannot broadcast the ones over the images
    // ("Size(1296) must match the product of shape 2,1296,1"); the fused
    // kernel always runs the packed matrix product.
    const perImage = call(_FusedMatMul, backend, { a: ones, b: perImageInput }, {
      transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0,
    });
    const summed = singleOutput(Sum, replaced.kernelFunc({ inputs: { x: perImage }, backend, attrs: { axis: [0, 1], keepDims: false } } as never));
    const outShape = keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels];
    return freeing(backend, [ones, perImageInput, perImage, summed], call(Reshape, backend, { x: summed }, { shape: outShape }));
  };
}
