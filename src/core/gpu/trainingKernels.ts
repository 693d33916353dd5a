/**
 * Training kernels for tfjs's GPU backends, 'webgl' and 'webgpu' (tfjs 4.22):
 * - WebGL: `Conv2D`, `FusedConv2D`, both convolution gradients and the bias
 *   gradient's `Sum` as packed matrix products (./webgl.ts);
 * - WebGPU: `Conv2DBackpropFilter` split over the batch
 *   (./conv2dBackpropFilter.ts), and `Conv2D` as a direct loop for inputs
 *   with few channels (./conv2d.ts).
 * Everything else stays the backends' own. Every geometry the architecture
 * editor makes runs through these (any kernel size, stride, padding and
 * channel count); their intermediates stay within a split budget by splitting
 * the batch, and the WebGL ones hand a call to tfjs's own kernel where one
 * image alone would exceed it (./backend.ts).
 *
 * No DOM, Node or worker globals: registering works anywhere; the kernels run
 * wherever the backend does.
 */
import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, Sum } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { installKernel } from '../kernels/registry';
import type { GpuBackendName } from './backend';
import { makeWebGPUConv2D } from './conv2d';
import { webgpuConv2DBackpropFilter } from './conv2dBackpropFilter';
import { makeWebGLConv2D, makeWebGLConv2DBackpropFilter, makeWebGLConv2DBackpropInput, makeWebGLSum } from './webgl';

type Maker = (replaced: KernelConfig | undefined) => KernelFunc | undefined;

function kernelsFor(backendName: GpuBackendName): Array<[string, Maker]> {
  if (backendName === 'webgl') {
    return [
      [Conv2D, (replaced) => replaced && makeWebGLConv2D(replaced)],
      [FusedConv2D, (replaced) => replaced && makeWebGLConv2D(replaced)],
      [Conv2DBackpropFilter, (replaced) => makeWebGLConv2DBackpropFilter(replaced)],
      [Conv2DBackpropInput, (replaced) => makeWebGLConv2DBackpropInput(replaced)],
      [Sum, (replaced) => replaced && makeWebGLSum(replaced)],
    ];
  }
  return [
    [Conv2D, (replaced) => replaced && makeWebGPUConv2D(replaced)],
    [Conv2DBackpropFilter, () => webgpuConv2DBackpropFilter],
  ];
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
