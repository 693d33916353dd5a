/**
 * A bias added along a tensor's last axis (`Add` of [..., C] and [C]) and the
 * sum over all axes but the last (`Sum`, the bias's gradient), by our
 * WebAssembly SIMD module (`add_pattern`, `sum_pattern` in ./streamWat.ts).
 * tfjs-backend-wasm's take 1.5–2.4 ms each per step for LeNet's first layer
 * at batch 256, the sum after a transpose; these 0.2–0.4 ms, on this thread
 * alone: they are bound by memory, and waking a helper for them cost more
 * than it saved (npm run profile -- --compare).
 */
import { Add, Sum, util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { product } from '../../shared/checks';
import { callReplaced } from '../../shared/registry';
import { asWasmBackend, disposeAll, f32, WASM } from '../backend';
import { gcd, heapOffset, simdModule } from './simdModule';

/** Smaller tensors stay with the backend: the call costs more than it saves. */
const MIN_SIZE = 4096;

/** The pattern's length in floats: lcm(C, 4). */
function patternFloats(channels: number): number {
  return (channels * 4) / gcd(channels, 4);
}

function isFloat(...infos: TensorInfo[]): boolean {
  return infos.every((t) => t.dtype === 'float32');
}

/** [the tensor, the bias] when `a + b` adds a bias along the last axis, else undefined. */
function biasOperands(a: TensorInfo, b: TensorInfo): [TensorInfo, TensorInfo] | undefined {
  const fits = (t: TensorInfo, v: TensorInfo) =>
    v.shape.length === 1 && t.shape.length >= 2 && t.shape[t.shape.length - 1] === v.shape[0] && product(t.shape) >= MIN_SIZE;
  if (!isFloat(a, b)) return undefined;
  if (fits(a, b)) return [a, b];
  if (fits(b, a)) return [b, a];
  return undefined;
}

export function makeBiasAdd(replaced: KernelConfig | undefined): KernelFunc {
  return (args) => {
    const backend = asWasmBackend(args.backend);
    const { a, b } = args.inputs as { a?: TensorInfo; b?: TensorInfo };
    const operands = a === undefined || b === undefined ? undefined : biasOperands(a, b);
    const module = operands === undefined ? undefined : simdModule(backend);
    if (operands === undefined || module === undefined) return callReplaced(Add, WASM, replaced, args);
    const [x, bias] = operands;
    const C = bias.shape[0];
    const L = patternFloats(C);
    const total = product(x.shape);
    const nvec = Math.floor(total / 4);
    const pattern = backend.makeOutput([L], 'float32');
    let out: TensorInfo | undefined;
    try {
      out = backend.makeOutput(x.shape, 'float32');
      const p = f32(backend, pattern);
      const bv = f32(backend, bias);
      for (let i = 0; i < L; i++) p[i] = bv[i % C];
      const [xOff, pOff, outOff] = [heapOffset(backend, x), heapOffset(backend, pattern), heapOffset(backend, out)];
      module.exports.add_pattern(xOff, pOff, outOff, nvec, L / 4);
      const xs = f32(backend, x);
      const o = f32(backend, out);
      for (let i = 4 * nvec; i < total; i++) o[i] = xs[i] + bv[i % C];
      return out;
    } catch (e) {
      disposeAll(backend, [out]);
      throw e;
    } finally {
      disposeAll(backend, [pattern]);
    }
  };
}

/** The last axis's size when the sum is over all the other axes, else undefined. */
function channelsOfBiasSum(x: TensorInfo, attrs: SumAttrs): number | undefined {
  const rank = x.shape.length;
  if (!isFloat(x) || rank < 2 || product(x.shape) < MIN_SIZE) return undefined;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
  const leading = axes.length === rank - 1 && axes.every((axis, i) => axis === i);
  return leading ? x.shape[rank - 1] : undefined;
}

export function makeBiasSum(replaced: KernelConfig | undefined): KernelFunc {
  return (args) => {
    const backend = asWasmBackend(args.backend);
    const { x } = args.inputs as { x?: TensorInfo };
    const attrs = args.attrs as unknown as SumAttrs;
    const C = x === undefined ? undefined : channelsOfBiasSum(x, attrs);
    const module = C === undefined ? undefined : simdModule(backend);
    if (x === undefined || C === undefined || module === undefined) return callReplaced(Sum, WASM, replaced, args);
    const L = patternFloats(C);
    const total = product(x.shape);
    const nvec = Math.floor(total / 4);
    const shape = attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), C] : [C];
    const acc = backend.makeOutput([L], 'float32');
    try {
      f32(backend, acc).fill(0);
      const [xOff, accOff] = [heapOffset(backend, x), heapOffset(backend, acc)];
      module.exports.sum_pattern(xOff, accOff, nvec, L / 4);
      const out = backend.makeOutput(shape, 'float32');
      const o = f32(backend, out);
      const a = f32(backend, acc);
      const xs = f32(backend, x);
      o.fill(0);
      for (let k = 0; k < a.length; k++) o[k % C] += a[k];
      for (let i = 4 * nvec; i < total; i++) o[i % C] += xs[i];
      return out;
    } finally {
      disposeAll(backend, [acc]);
    }
  };
}
