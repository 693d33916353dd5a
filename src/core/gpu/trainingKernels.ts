/**
 * Training kernels for tfjs's GPU backends, 'webgl' and 'webgpu' (tfjs 4.22):
 * - `Conv2DBackpropFilter`, both: split over the batch (./conv2dBackpropFilter.ts);
 * - `Conv2D`, WebGPU only: a direct loop for inputs with few channels
 *   (./conv2d.ts); the backend's own kernel for the rest.
 * Everything else stays the backends' own.
 *
 * No DOM, Node or worker globals: registering works anywhere; the kernels run
 * wherever the backend does.
 */
import { Conv2D, Conv2DBackpropFilter } from '@tensorflow/tfjs';
import { installKernel, isOurKernel } from '../kernels/registry';
import type { GpuBackendName } from './backend';
import { makeWebGPUConv2D } from './conv2d';
import { makeConv2DBackpropFilter } from './conv2dBackpropFilter';

/**
 * Registers the kernels for `backendName`, before or after tf.setBackend, after
 * the backend's package is imported. Idempotent; other backends are untouched.
 */
export function registerGpuTrainingKernels(backendName: GpuBackendName): void {
  installKernel(backendName, Conv2DBackpropFilter, true, () => makeConv2DBackpropFilter(backendName));
  if (backendName === 'webgpu') {
    installKernel(backendName, Conv2D, true, (replaced) => (replaced === undefined ? undefined : makeWebGPUConv2D(replaced)));
  }
}

/** Puts the backend's own kernels back. For benchmarks and tests. */
export function unregisterGpuTrainingKernels(backendName: GpuBackendName): void {
  for (const name of [Conv2DBackpropFilter, Conv2D]) installKernel(backendName, name, false, () => undefined);
}

/** Whether every kernel registerGpuTrainingKernels registers for `backendName` is ours now. */
export function gpuTrainingKernelsRegistered(backendName: GpuBackendName): boolean {
  return isOurKernel(Conv2DBackpropFilter, backendName) && (backendName !== 'webgpu' || isOurKernel(Conv2D, backendName));
}
