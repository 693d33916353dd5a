/**
 * BatchMatMul for tfjs-backend-wasm that keeps transposed products on
 * XNNPACK.
 *
 * The backend only uses XNNPACK for a single (batch 1) product without
 * transposes; anything with transposeA / transposeB runs a naive blocked
 * loop. Training needs exactly those: a dense layer's gradients are xᵀ·dy and
 * dy·Wᵀ. Here a transposed operand is first materialised with the backend's
 * Transpose kernel, then the replaced kernel runs the plain product.
 * Batched products (batch > 1) and non-float32 inputs go to the replaced
 * kernel unchanged.
 */
import { broadcast_util, Transpose } from '@tensorflow/tfjs';
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { product } from '../shared/checks';
import { singleOutput } from '../shared/registry';
import { asWasmBackend, callKernel, disposeAll, view } from './backend';

export function makeBatchMatMul(replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a?: TensorInfo; b?: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (
      a === undefined ||
      b === undefined ||
      (!transposeA && !transposeB) ||
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      a.shape.length < 2 ||
      b.shape.length < 2 ||
      product(a.shape.slice(0, -2)) !== 1 ||
      product(b.shape.slice(0, -2)) !== 1
    ) {
      return replaced.kernelFunc(args);
    }
    const backend = asWasmBackend(args.backend);
    const [ar, ac] = a.shape.slice(-2);
    const [br, bc] = b.shape.slice(-2);
    const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    let aT: TensorInfo | undefined;
    let bT: TensorInfo | undefined;
    try {
      if (transposeA) aT = callKernel(Transpose, backend, { x: view(a, [ar, ac]) }, { perm: [1, 0] });
      if (transposeB) bT = callKernel(Transpose, backend, { x: view(b, [br, bc]) }, { perm: [1, 0] });
      const out = singleOutput(
        'BatchMatMul',
        replaced.kernelFunc({
          inputs: { a: aT ?? view(a, [ar, ac]), b: bT ?? view(b, [br, bc]) },
          backend: args.backend,
          attrs: { transposeA: false, transposeB: false },
        }),
      );
      const rows = transposeA ? ac : ar;
      const cols = transposeB ? br : bc;
      return view(out, [...outer, rows, cols]);
    } finally {
      disposeAll(backend, [aT, bT]);
    }
  };
}
