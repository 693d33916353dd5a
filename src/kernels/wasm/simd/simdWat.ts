/**
 * The text of our one WebAssembly SIMD module, in its four builds. It imports
 * the tfjs-backend-wasm heap ("env" "memory") and works in place on tensors
 * there (byte offsets). `npm run build:wasm-kernels` assembles it with the
 * npm `wabt` package into ./simdBinaries.ts; a unit test fails when that file
 * is stale. Nothing here runs in the app: it only produces text.
 */
import { convFuncs } from './convWat';
import { filterGradFuncs } from './filterGradWat';
import { poolFuncs } from './poolWat';
import { streamFuncs } from './streamWat';

export interface SimdVariant {
  name: 'plain' | 'relaxed' | 'sharedPlain' | 'sharedRelaxed';
  /** Import the memory as shared (tfjs's threaded build) or not. */
  shared: boolean;
  /** f32x4.relaxed_madd (fused multiply-add on x86 with FMA) instead of mul + add. */
  relaxed: boolean;
}

export const VARIANTS: readonly SimdVariant[] = [
  { name: 'plain', shared: false, relaxed: false },
  { name: 'relaxed', shared: false, relaxed: true },
  { name: 'sharedPlain', shared: true, relaxed: false },
  { name: 'sharedRelaxed', shared: true, relaxed: true },
];

export function simdWat(variant: SimdVariant): string {
  const memory = variant.shared ? '(memory 1 65536 shared)' : '(memory 1)';
  return `(module
  (import "env" "memory" ${memory})${filterGradFuncs(variant.relaxed)}${convFuncs(variant.relaxed)}${streamFuncs()}${poolFuncs()}
)
`;
}
