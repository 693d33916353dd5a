/**
 * Training kernels for tfjs's WebGL backend (tfjs-backend-webgl 4.22):
 * `Conv2D`, `FusedConv2D`, both convolution gradients and the bias
 * gradient's `Sum` as packed matrix products (./convolutions.ts). Everything
 * else stays the backend's own. Every geometry the architecture editor makes
 * runs through these (any kernel size, stride, padding and channel count);
 * their intermediates stay within the split budget by splitting the batch,
 * and they hand a call to tfjs's own kernel where one image alone would
 * exceed it (../shared/gpu.ts).
 *
 * No DOM, Node or worker globals: registering works anywhere; the kernels run
 * wherever the backend does.
 */
import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, FusedConv2D, Sum } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { installKernel, isOurKernel } from '../shared/registry';
import { makeWebGLConv2D, makeWebGLConv2DBackpropFilter, makeWebGLConv2DBackpropInput, makeWebGLSum } from './convolutions';

const WEBGL = 'webgl';

const KERNELS: ReadonlyArray<[string, (replaced: KernelConfig | undefined) => KernelFunc | undefined]> = [
  [Conv2D, (replaced) => replaced && makeWebGLConv2D(replaced)],
  [FusedConv2D, (replaced) => replaced && makeWebGLConv2D(replaced)],
  [Conv2DBackpropFilter, (replaced) => makeWebGLConv2DBackpropFilter(replaced)],
  [Conv2DBackpropInput, (replaced) => makeWebGLConv2DBackpropInput(replaced)],
  [Sum, (replaced) => replaced && makeWebGLSum(replaced)],
];

/**
 * Registers the kernels above for 'webgl', before or after tf.setBackend
 * (tfjs registers the WebGL backend on import). Idempotent; other backends
 * are untouched.
 */
export function registerWebGLTrainingKernels(): void {
  for (const [name, make] of KERNELS) installKernel(WEBGL, name, true, make);
}

/** Puts the backend's own kernels back. For benchmarks and tests. */
export function unregisterWebGLTrainingKernels(): void {
  for (const [name] of KERNELS) installKernel(WEBGL, name, false, () => undefined);
}

/** Whether every kernel above is the one registered for 'webgl' now. */
export function webglTrainingKernelsRegistered(): boolean {
  return KERNELS.every(([name]) => isOurKernel(name, WEBGL));
}
