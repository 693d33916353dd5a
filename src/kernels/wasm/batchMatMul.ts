/**
 * BatchMatMul and _FusedMatMul for tfjs-backend-wasm: a single (batch 1)
 * float32 product, transposed or not, by our SIMD convolution on our threads
 * (./simd/convSimd.ts matMulSimd), with a fused bias and relu.
 *
 * The backend only uses XNNPACK for a single product without transposes;
 * anything with transposeA / transposeB runs a naive blocked loop, and a
 * dense layer's gradients are exactly those (xᵀ·dy and dy·Wᵀ). Where our
 * module cannot run, a transposed operand is first materialised with the
 * backend's Transpose kernel and the replaced kernel runs the plain product.
 * Batched products (batch > 1), other activations and non-float32 inputs go
 * to the replaced kernel unchanged.
 */
import { broadcast_util, Transpose } from '@tensorflow/tfjs';
import type { _FusedMatMulAttrs, BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { product } from '../shared/checks';
import { singleOutput } from '../shared/registry';
import { asWasmBackend, callKernel, disposeAll, view } from './backend';
import { matMulSimd } from './simd/convSimd';

function singleProduct(a: TensorInfo | undefined, b: TensorInfo | undefined): a is TensorInfo {
  return (
    a !== undefined && b !== undefined && a.dtype === 'float32' && b.dtype === 'float32' &&
    a.shape.length >= 2 && b.shape.length >= 2 && product(a.shape.slice(0, -2)) === 1 && product(b.shape.slice(0, -2)) === 1
  );
}

/** The product's shape: a's and b's outer dimensions (all 1), rows, columns. */
function outShape(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): number[] {
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  return [...outer, transposeA ? ac : ar, transposeB ? br : bc];
}

export function makeBatchMatMul(replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a?: TensorInfo; b?: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if (singleProduct(a, b)) {
      const out = matMulSimd(asWasmBackend(args.backend), a, b!, transposeA, transposeB);
      if (out !== undefined) return view(out, outShape(a, b!, transposeA, transposeB));
    }
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

export function makeFusedMatMul(replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as unknown as _FusedMatMulAttrs;
    const columns = b === undefined ? 0 : b.shape[b.shape.length - (transposeB ? 2 : 1)];
    const supported =
      singleProduct(a, b) && preluActivationWeights === undefined &&
      (activation === undefined || activation === 'linear' || activation === 'relu') &&
      (bias === undefined || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === columns));
    if (supported) {
      const out = matMulSimd(asWasmBackend(args.backend), a!, b!, transposeA, transposeB, bias, activation === 'relu');
      if (out !== undefined) return view(out, outShape(a!, b!, transposeA, transposeB));
    }
    return replaced.kernelFunc(args);
  };
}
