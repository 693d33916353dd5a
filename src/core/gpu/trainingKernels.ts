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
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { installKernel } from '../kernels/registry';
import type { GpuBackendName } from './backend';
import { makeWebGPUConv2D } from './conv2d';
import { makeConv2DBackpropFilter } from './conv2dBackpropFilter';

type Maker = (replaced: KernelConfig | undefined) => KernelFunc | undefined;

function kernelsFor(backendName: GpuBackendName): Array<[string, Maker]> {
  const kernels: Array<[string, Maker]> = [[Conv2DBackpropFilter, () => makeConv2DBackpropFilter(backendName)]];
  if (backendName === 'webgpu') kernels.push([Conv2D, (replaced) => replaced && makeWebGPUConv2D(replaced)]);
  return kernels;
}

/**
 * Registers the kernels for `backendName`, before or after tf.setBackend, after
 * the backend's package is imported. Idempotent; other backends are untouched.
 */
export function registerGpuTrainingKernels(backendName: GpuBackendName): void {
  for (const [name, make] of kernelsFor(backendName)) installKernel(backendName, name, true, make);
}

/** Puts the backend's own kernels back. For benchmarks and tests. */
export function unregisterGpuTrainingKernels(backendName: GpuBackendName): void {
  for (const [name] of kernelsFor(backendName)) installKernel(backendName, name, false, () => undefined);
}
