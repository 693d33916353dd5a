/**
 * Training kernels for tfjs's plain-JavaScript 'cpu' backend (tfjs 4.22).
 *
 * Two kernels of a conv net's backward pass read every element through
 * TensorBuffer.get there, and took 95% of a LeNet step (profiled under Node:
 * Conv2DBackpropFilter 25.7 s, AvgPoolGrad 0.47 s of 27.5 s per 256-image
 * step). `registerCpuTrainingKernels()` replaces them with loops over the
 * typed arrays (../shared). The forward pass and every other kernel stay the
 * backend's own.
 *
 * No DOM, Node or worker globals: usable in a worker, on a page and in tests.
 */
import { AvgPoolGrad, Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type { AvgPoolGradAttrs, DataId, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { avgPoolGradInfo, scatterAvgPoolGrad } from '../shared/avgPoolGrad';
import { filterGradArgs } from '../shared/checks';
import { conv2dFilterGrad } from '../shared/conv2dFilterGrad';
import { installKernel, isOurKernel } from '../shared/registry';

const CPU = 'cpu';

/** The parts of tfjs-backend-cpu's `MathBackendCPU` used here. */
interface CpuBackendLike {
  data: { get(dataId: DataId): { values?: unknown } | undefined };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function asCpuBackend(backend: unknown): CpuBackendLike {
  const b = backend as Partial<CpuBackendLike> | null;
  if (b === null || typeof b !== 'object' || typeof b.makeTensorInfo !== 'function' || typeof b.data?.get !== 'function') {
    throw new Error('cpu training kernels: the backend is not the tfjs cpu backend.');
  }
  return b as CpuBackendLike;
}

function values(backend: CpuBackendLike, info: TensorInfo): Float32Array {
  const v = backend.data.get(info.dataId)?.values;
  if (!(v instanceof Float32Array)) throw new Error('cpu training kernels: expected float32 values on the cpu backend.');
  return v;
}

const conv2DBackpropFilter: KernelFunc = (args) => {
  const opName = 'Conv2DBackpropFilter (cpu)';
  const backend = asCpuBackend(args.backend);
  const { x, dy, info } = filterGradArgs(opName, args);
  const dW = conv2dFilterGrad(info, values(backend, x), values(backend, dy));
  return backend.makeTensorInfo([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 'float32', dW);
};

const avgPoolGrad: KernelFunc = (args) => {
  const backend = asCpuBackend(args.backend);
  const inputs = args.inputs as { dy?: TensorInfo; input?: TensorInfo };
  const info = avgPoolGradInfo('AvgPoolGrad (cpu)', inputs, args.attrs as unknown as AvgPoolGradAttrs);
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  scatterAvgPoolGrad(info, values(backend, inputs.dy as TensorInfo), dx);
  return backend.makeTensorInfo([info.batchSize, info.inHeight, info.inWidth, info.inChannels], 'float32', dx);
};

const KERNELS: ReadonlyArray<[string, KernelFunc]> = [
  [Conv2DBackpropFilter, conv2DBackpropFilter],
  [AvgPoolGrad, avgPoolGrad],
];

/**
 * Registers the kernels above for the 'cpu' backend, before or after
 * `tf.setBackend('cpu')`. Idempotent; other backends are not touched.
 */
export function registerCpuTrainingKernels(): void {
  for (const [name, kernel] of KERNELS) installKernel(CPU, name, true, () => kernel);
}

/** Puts the cpu backend's own kernels back. For benchmarks and tests. */
export function unregisterCpuTrainingKernels(): void {
  for (const [name] of KERNELS) installKernel(CPU, name, false, () => undefined);
}

/** Whether every kernel above is the one registered for 'cpu' now. */
export function cpuTrainingKernelsRegistered(): boolean {
  return KERNELS.every(([name]) => isOurKernel(name, CPU));
}
