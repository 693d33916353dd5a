/**
 * Training kernels for tfjs's WebGPU backend (tfjs-backend-webgpu 4.22):
 * `Conv2DBackpropFilter` split over the batch (./conv2dBackpropFilter.ts),
 * and `Conv2D` as a direct loop for inputs with few channels (./conv2d.ts).
 * Everything else stays the backend's own. Every geometry the architecture
 * editor makes runs through these (any kernel size, stride, padding and
 * channel count); their partial sums stay within the split budget
 * (../shared/gpu.ts) by splitting the batch.
 *
 * No DOM, Node or worker globals: registering works anywhere; the kernels run
 * wherever the backend does.
 */
import { Conv2D, Conv2DBackpropFilter } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { installKernel, isOurKernel } from '../shared/registry';
import { makeWebGPUConv2D } from './conv2d';
import { webgpuConv2DBackpropFilter } from './conv2dBackpropFilter';

const WEBGPU = 'webgpu';

const KERNELS: ReadonlyArray<[string, (replaced: KernelConfig | undefined) => KernelFunc | undefined]> = [
  [Conv2D, (replaced) => replaced && makeWebGPUConv2D(replaced)],
  [Conv2DBackpropFilter, () => webgpuConv2DBackpropFilter],
];

/**
 * Registers the kernels above for 'webgpu', before or after tf.setBackend,
 * after tfjs-backend-webgpu is imported. Idempotent; other backends are untouched.
 */
export function registerWebGPUTrainingKernels(): void {
  for (const [name, make] of KERNELS) installKernel(WEBGPU, name, true, make);
}

/** Puts the backend's own kernels back. For benchmarks and tests. */
export function unregisterWebGPUTrainingKernels(): void {
  for (const [name] of KERNELS) installKernel(WEBGPU, name, false, () => undefined);
}

/** Whether every kernel above is the one registered for 'webgpu' now. */
export function webgpuTrainingKernelsRegistered(): boolean {
  return KERNELS.every(([name]) => isOurKernel(name, WEBGPU));
}
