/**
 * Conv2DBackpropFilter for tfjs's WebGPU backend, split over the batch so a
 * GPU can run it in parallel.
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[n,oh,ow,co]
 *
 * tfjs 4.22 gives each element of dW one GPU thread that walks the whole sum
 * alone: for LeNet's first layer that is 150 threads (one per filter weight),
 * each adding 200,704 terms (256 images × 28 × 28) one after another, on a
 * chip built for tens of thousands of threads. Here the batch is cut into
 * chunks of a few images: one program writes a partial sum per chunk and
 * filter weight ([chunks, KH·KW·CI·CO], about a thousand terms per thread),
 * and a second program adds the chunks up. Same arithmetic, spread over
 * chunks × more threads; the partial sums also lose fewer digits. The partial
 * sums are kept within the split budget (../shared/gpu.ts): a 9×9 filter of
 * 128 → 128 channels has 1.3 M weights, and one chunk per image at batch 2048
 * would make 2.7 G partial sums, past any GPU buffer; there chunks take more
 * images each. Any geometry (kernel size, stride, padding, channels) works:
 * each thread walks its own sum with bounds checks, nothing is tiled.
 *
 * WebGL computes the same sum as a matrix product instead
 * (../webgl/convolutions.ts); here that ran 1.6–5.6× slower than this,
 * because tfjs's WebGPU matrix product pads LeNet's small matrices to 32×32
 * tiles (SwiftShader, batch 256).
 */
import { Conv2DBackpropFilter, Reshape } from '@tensorflow/tfjs';
import type { backend_util, KernelFunc } from '@tensorflow/tfjs';
import { filterGradArgs, product } from '../shared/checks';
import { callBackendKernel } from '../shared/registry';
import { convConstants, countBudgetHit, getSplitBudget } from '../shared/gpu';
import { flatWebGPUProgram } from './backend';
import type { WebGPUBackendLike, WebGPUProgramLike } from './backend';

type Conv2DInfo = backend_util.Conv2DInfo;

/** Terms each thread adds up, about: enough to hide a thread's start, small enough to keep a GPU busy. */
export const TERMS_PER_THREAD = 1024;

export interface FilterGradSplit {
  imagesPerChunk: number;
  chunks: number;
}

/**
 * How the batch is cut: whole images per chunk, about TERMS_PER_THREAD terms
 * each, and more where the partial sums, chunks × `weights` (the filter's
 * size), would exceed `budget` values.
 */
export function splitBatch(
  info: Pick<Conv2DInfo, 'batchSize' | 'outHeight' | 'outWidth'>,
  weights = 1,
  budget = getSplitBudget(),
): FilterGradSplit & { budgetBound: boolean } {
  const images = Math.max(1, info.batchSize);
  const perImage = Math.max(1, info.outHeight * info.outWidth);
  const byTerms = Math.min(images, Math.max(1, Math.round(TERMS_PER_THREAD / perImage)));
  const maxChunks = Math.max(1, Math.floor(budget / Math.max(1, weights)));
  const byBudget = Math.ceil(images / maxChunks);
  const imagesPerChunk = Math.max(byTerms, byBudget);
  return { imagesPerChunk, chunks: Math.ceil(images / imagesPerChunk), budgetBound: byBudget > byTerms };
}

/** Integer constants the shaders are specialised for (also their cache key). */
function constants(info: Conv2DInfo, split: FilterGradSplit) {
  return { ...convConstants(info), PER: split.imagesPerChunk };
}

/** A partial sum per chunk of images and filter weight, [chunks, KH·KW·CI·CO]. */
function webgpuProgram(info: Conv2DInfo, split: FilterGradSplit, k: number): WebGPUProgramLike {
  const c = constants(info, split);
  return flatWebGPUProgram(['x', 'dy'], [split.chunks, k], `lenetConv2DBackpropFilterChunks_${Object.values(c).join('_')}`, `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let chunk = coords[0];
          var w = coords[1];
          let d2 = w % ${c.CO};
          w = w / ${c.CO};
          let d1 = w % ${c.CI};
          w = w / ${c.CI};
          let wC = w % ${c.FW};
          let wR = w / ${c.FW};
          var dotProd = 0.0;
          let bEnd = min(chunk * ${c.PER} + ${c.PER}, ${c.N});
          for (var b = chunk * ${c.PER}; b < bEnd; b = b + 1) {
            for (var yR = 0; yR < ${c.OH}; yR = yR + 1) {
              let xR = wR + yR * ${c.SH} - ${c.PT};
              if (xR < 0 || xR >= ${c.IH}) { continue; }
              for (var yC = 0; yC < ${c.OW}; yC = yC + 1) {
                let xC = wC + yC * ${c.SW} - ${c.PL};
                if (xC < 0 || xC >= ${c.IW}) { continue; }
                dotProd = dotProd + getX(b, xR, xC, d1) * getDy(b, yR, yC, d2);
              }
            }
          }
          setOutputAtIndex(index, dotProd);
        }
      }`);
}

/**
 * dW from the partial sums [chunks, K]: one thread per filter weight adds its
 * chunks up. (tfjs's Sum over axis 0 would transpose, then give every weight
 * a workgroup of 64 threads and barriers: for 200,000 weights in one or two
 * chunks that took seconds on SwiftShader.)
 */
function sumChunksProgram(chunks: number, filterShape: number[]): WebGPUProgramLike {
  return flatWebGPUProgram(['partial'], filterShape, `lenetConv2DBackpropFilterSum_${chunks}`, `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var sum = 0.0;
          for (var chunk = 0; chunk < ${chunks}; chunk = chunk + 1) {
            sum = sum + getPartial(chunk, index);
          }
          setOutputAtIndex(index, sum);
        }
      }`);
}

export const webgpuConv2DBackpropFilter: KernelFunc = (args) => {
  const { x, dy, info } = filterGradArgs(`${Conv2DBackpropFilter} (webgpu)`, args);
  const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  const split = splitBatch(info, product(filterShape));
  if (split.budgetBound) countBudgetHit();
  const backend = args.backend as WebGPUBackendLike;
  const partial = backend.runWebGPUProgram(webgpuProgram(info, split, product(filterShape)), [x, dy], 'float32');
  // One chunk: the partial sums are dW already ([1, K] is [KH, KW, CI, CO] in memory).
  const out = split.chunks === 1
    ? callBackendKernel('webgpu', Reshape, backend, { x: partial }, { shape: filterShape })
    : backend.runWebGPUProgram(sumChunksProgram(split.chunks, filterShape), [partial], 'float32');
  backend.disposeData(partial.dataId);
  return out;
};
