/**
 * Training kernels for tfjs's GPU backends, 'webgl' and 'webgpu' (tfjs 4.22):
 * the filter gradient split over the batch (./conv2dBackpropFilter.ts).
 * Everything else stays the backends' own.
 *
 * No DOM, Node or worker globals: registering works anywhere; the kernels run
 * wherever the backend does.
 */
import { Conv2DBackpropFilter } from '@tensorflow/tfjs';
import { installKernel, isOurKernel } from '../kernels/registry';
import { makeConv2DBackpropFilter, type GpuBackendName } from './conv2dBackpropFilter';

/**
 * Registers the kernels for `backendName`, before or after tf.setBackend, after
 * the backend's package is imported. Idempotent; other backends are untouched.
 */
export function registerGpuTrainingKernels(backendName: GpuBackendName): void {
  installKernel(backendName, Conv2DBackpropFilter, true, () => makeConv2DBackpropFilter(backendName));
}

/** Puts the backend's own kernels back. For benchmarks and tests. */
export function unregisterGpuTrainingKernels(backendName: GpuBackendName): void {
  installKernel(backendName, Conv2DBackpropFilter, false, () => undefined);
}

export function gpuTrainingKernelsRegistered(backendName: GpuBackendName): boolean {
  return isOurKernel(Conv2DBackpropFilter, backendName);
}
