/**
 * Training kernels for the tfjs WebAssembly backend (tfjs-backend-wasm 4.22).
 *
 * The backend cannot train a conv net: it has no `Conv2DBackpropFilter`. And
 * several kernels a training step needs are naive loops there while the
 * forward pass runs on XNNPACK. `registerWasmTrainingKernels()` registers:
 *
 * - `Conv2DBackpropFilter` (new): our WebAssembly SIMD kernel (./simd/), or
 *   an XNNPACK convolution over the batch axis, or im2col + XNNPACK matmul
 *   (see ./conv2dBackpropFilter.ts);
 * - `Conv2DBackpropInput` (replaced): a convolution with the rotated filter,
 *   by our Conv2D below (an XNNPACK depthwise one for one input channel)
 *   (./conv2dBackpropInput.ts);
 * - `BatchMatMul`, `_FusedMatMul` (replaced): one product, transposed or not,
 *   by our SIMD module on our threads (./batchMatMul.ts);
 * - `AvgPool`, `AvgPoolGrad` (replaced): our SIMD module where the windows
 *   tile the input, else a direct JS scatter for the gradient
 *   (./avgPoolGrad.ts);
 * - `GatherV2` (replaced): row copies for a batch taken from the dataset
 *   (./gatherRows.ts);
 * - `Conv2D`, `FusedConv2D` (replaced): our SIMD direct convolution
 *   (./conv2d.ts), on our threads;
 * - `Identity` (replaced): the same data, no copy;
 * - `Add` of a bias, `Sum` over all axes but the last (replaced): our SIMD
 *   module (./simd/elementwiseSimd.ts).
 *
 * Replaced kernels are kept and used for the cases the new ones leave out
 * (../shared/registry.ts).
 *
 * No DOM or Node globals: usable in a worker, on a page and in tests (helper
 * workers start only where a worker on a cross-origin isolated page runs them).
 */
import {
  _FusedMatMul, Add, AvgPool, AvgPoolGrad, BatchMatMul, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, GatherV2, Identity, Sum,
} from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { installKernel, isOurKernel } from '../shared/registry';
import { avgPoolGrad, makeAvgPool } from './avgPoolGrad';
import { asWasmBackend, WASM } from './backend';
import { makeBatchMatMul, makeFusedMatMul } from './batchMatMul';
import { makeConv2D, makeFusedConv2D } from './conv2d';
import { makeConv2DBackpropFilter } from './conv2dBackpropFilter';
import type { BackpropFilterMethod } from './conv2dBackpropFilter';
import { makeConv2DBackpropInput } from './conv2dBackpropInput';
import { makeGatherRows } from './gatherRows';
import { makeBiasAdd, makeBiasSum } from './simd/elementwiseSimd';

export type { BackpropFilterMethod } from './conv2dBackpropFilter';

export interface WasmTrainingKernelOptions {
  /**
   * How Conv2DBackpropFilter is computed: 'auto' (default) uses our SIMD
   * kernel ('simd') where the backend's memory can be imported, else
   * 'xnnpack': the XNNPACK convolution form where it applies and its copies
   * of x and dy fit im2colBudget, and im2col otherwise; 'simd' throws where
   * it cannot run; 'im2col' always uses im2col; 'conv' throws where the
   * convolution form does not apply.
   */
  backpropFilter?: BackpropFilterMethod;
  /**
   * Cap on the scratch buffers in float32 elements (default 2^24 = 64 MiB):
   * the filter gradient's im2col buffer and the input gradient's upsampled dy
   * (strides > 1); larger batches are split.
   */
  im2colBudget?: number;
  /** Replace the backend's Conv2DBackpropInput (default true). */
  backpropInput?: boolean;
  /** In Conv2DBackpropInput, the depthwise form for one input channel (default true). */
  depthwiseForOneChannel?: boolean;
  /** BatchMatMul and _FusedMatMul of one product by our SIMD module on our threads, transposed or not (default true). */
  batchMatMul?: boolean;
  /** AvgPool and AvgPoolGrad: our SIMD module where the windows tile the input, else a JS scatter for the gradient (default true). */
  avgPoolGrad?: boolean;
  /** Replace the backend's GatherV2 for whole rows (default true). */
  gatherRows?: boolean;
  /** Conv2D and FusedConv2D (no activation or relu) by our SIMD direct convolution (default true). */
  convolution?: boolean;
  /** Identity without a copy, sharing the data as tfjs's cpu and webgl backends do (default true). */
  identity?: boolean;
  /** Add of a bias along the last axis by our SIMD module (default true). */
  biasAdd?: boolean;
  /** Sum over all axes but the last (a bias's gradient) by our SIMD module (default true). */
  biasSum?: boolean;
}

type ResolvedOptions = Required<WasmTrainingKernelOptions>;

function resolve(options: WasmTrainingKernelOptions): ResolvedOptions {
  const o: ResolvedOptions = {
    backpropFilter: options.backpropFilter ?? 'auto',
    im2colBudget: options.im2colBudget ?? 1 << 24,
    backpropInput: options.backpropInput ?? true,
    depthwiseForOneChannel: options.depthwiseForOneChannel ?? true,
    batchMatMul: options.batchMatMul ?? true,
    avgPoolGrad: options.avgPoolGrad ?? true,
    gatherRows: options.gatherRows ?? true,
    convolution: options.convolution ?? true,
    identity: options.identity ?? true,
    biasAdd: options.biasAdd ?? true,
    biasSum: options.biasSum ?? true,
  };
  if (!(o.im2colBudget >= 1)) throw new Error('registerWasmTrainingKernels: im2colBudget must be ≥ 1.');
  return o;
}

/**
 * The backend's Identity copies the tensor (three copies of the first layer's
 * activations per LeNet step, through the gradient tape's saved tensors);
 * tensors are never written in place on wasm, so sharing the data is enough.
 */
function makeIdentity(replaced: KernelConfig | undefined): KernelFunc | undefined {
  if (replaced === undefined) return undefined;
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return replaced.kernelFunc(args);
    asWasmBackend(args.backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * Registers the training kernels for the 'wasm' backend (see the file comment).
 *
 * Call it after `import '@tensorflow/tfjs-backend-wasm'` (that import
 * registers the backend's own kernels, and importing it later would put them
 * back), before or after `tf.setBackend('wasm')`. Idempotent: calling it again
 * re-registers with the given options; the backend's kernels are remembered
 * from the first call. Other backends are not touched.
 */
export function registerWasmTrainingKernels(options: WasmTrainingKernelOptions = {}): void {
  const o = resolve(options);
  installKernel(WASM, Conv2DBackpropFilter, true, () =>
    makeConv2DBackpropFilter({ method: o.backpropFilter, im2colBudget: o.im2colBudget }),
  );
  installKernel(WASM, Conv2DBackpropInput, o.backpropInput, (replaced) =>
    makeConv2DBackpropInput(replaced, { depthwiseForOneChannel: o.depthwiseForOneChannel, scratchBudget: o.im2colBudget }),
  );
  // Only ever a wrapper around the backend's own kernel.
  installKernel(WASM, BatchMatMul, o.batchMatMul, (replaced) => (replaced === undefined ? undefined : makeBatchMatMul(replaced)));
  installKernel(WASM, _FusedMatMul, o.batchMatMul, (replaced) => (replaced === undefined ? undefined : makeFusedMatMul(replaced)));
  installKernel(WASM, AvgPoolGrad, o.avgPoolGrad, () => avgPoolGrad);
  installKernel(WASM, AvgPool, o.avgPoolGrad, makeAvgPool);
  installKernel(WASM, GatherV2, o.gatherRows, (replaced) => (replaced === undefined ? undefined : makeGatherRows(replaced)));
  installKernel(WASM, Conv2D, o.convolution, makeConv2D);
  installKernel(WASM, FusedConv2D, o.convolution, makeFusedConv2D);
  installKernel(WASM, Identity, o.identity, makeIdentity);
  installKernel(WASM, Add, o.biasAdd, makeBiasAdd);
  installKernel(WASM, Sum, o.biasSum, makeBiasSum);
}

/** The kernels each switch of WasmTrainingKernelOptions (or, for backpropFilter, its method) puts ours in place of. */
const KERNELS_OF_SWITCH = {
  backpropFilter: [Conv2DBackpropFilter],
  backpropInput: [Conv2DBackpropInput],
  batchMatMul: [BatchMatMul, _FusedMatMul],
  avgPoolGrad: [AvgPoolGrad, AvgPool],
  gatherRows: [GatherV2],
  convolution: [Conv2D, FusedConv2D],
  identity: [Identity],
  biasAdd: [Add],
  biasSum: [Sum],
};

/**
 * Removes everything `registerWasmTrainingKernels` registered and puts the
 * backend's own kernels back (the 'wasm' backend then has no
 * Conv2DBackpropFilter again). For benchmarks and tests.
 */
export function unregisterWasmTrainingKernels(): void {
  for (const name of Object.values(KERNELS_OF_SWITCH).flat()) installKernel(WASM, name, false, () => undefined);
}

/** Which of the kernels registered for 'wasm' now are the ones from here, by switch. */
export function wasmTrainingKernelsRegistered(): Record<keyof typeof KERNELS_OF_SWITCH, boolean> {
  const entries = Object.entries(KERNELS_OF_SWITCH).map(([key, names]) => [key, names.every((name) => isOurKernel(name, WASM))]);
  return Object.fromEntries(entries) as Record<keyof typeof KERNELS_OF_SWITCH, boolean>;
}
