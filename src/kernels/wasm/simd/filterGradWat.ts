/**
 * The WebAssembly text of the SIMD filter-gradient kernel, generated here so
 * that every register tile is written out in full (no runtime loops over
 * accumulators). `npm run build:wasm-kernels` assembles it with the npm
 * `wabt` package (with the module's other functions, ./simdWat.ts) into
 * ./simdBinaries.ts; a unit test fails when that file is stale. Nothing here
 * runs in the app: it only produces text.
 *
 * The module imports the tfjs-backend-wasm heap ("env" "memory") and works in
 * place on tensors there (byte offsets), so x and dy are never copied out:
 *
 * - `pad`: xp[n, r, c, ci] = x[n, r − pt, c − pl, ci], zero outside x
 *   (f32x4 copies per row), for convolutions with padding.
 * - `fg_<TK>x<TC>`: for every image n, kernel row kh and tile of TK
 *   consecutive (kw, ci) pairs j (contiguous in an NHWC row),
 *   acc[kh, j..j+TK, 4·TC channels] += Σ_{oh,ow} x[n, oh·sh + kh, ow·sw + j/CI, j%CI] · dy[n, oh, ow, 4·TC channels]
 *   with TK·TC f32x4 accumulators in locals (registers), one v128.load32_splat
 *   of x per j and one v128.load of dy per 4 channels per output position.
 *   One image's x and dy stay in L1 across its tiles; each tile loads and
 *   stores its accumulators once per image. The caller pads the rows of acc
 *   to a multiple of TK (those rows read x past the row and are discarded)
 *   and its channels to a multiple of 4 (lanes past CO read the next
 *   position's dy, also discarded), so loads may read up to (TK−1)·4 bytes
 *   past x and 12 past dy.
 */

import { indent, madd } from './wat';

/** [TK, TC] per tile width TC (f32x4 channel vectors): ≤ 10 accumulators + TC + 1 live vectors, under x86's 16 registers. */
export const TILES: ReadonlyArray<readonly [number, number]> = [
  [8, 1],
  [4, 2],
  [3, 3],
  [2, 4],
];

export function tileRows(tc: number): number {
  const t = TILES.find(([, c]) => c === tc);
  if (t === undefined) throw new Error(`no tile for ${tc} channel vectors`);
  return t[0];
}

/**
 * `pad`, and its row pieces by f32x4 then by float: memory.fill and
 * memory.copy call into the engine each time, which costs more than the
 * few dozen bytes of a padded row's piece.
 */
function padFunc(): string {
  return `
  (func $zero (param $d i32) (param $b i32)
    (block $bv (loop $lv
      (br_if $bv (i32.lt_u (local.get $b) (i32.const 16)))
      (v128.store (local.get $d) (v128.const i32x4 0 0 0 0))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $b (i32.sub (local.get $b) (i32.const 16)))
      (br $lv)))
    (block $bs (loop $ls
      (br_if $bs (i32.eqz (local.get $b)))
      (i32.store (local.get $d) (i32.const 0))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (local.set $b (i32.sub (local.get $b) (i32.const 4)))
      (br $ls))))
  (func $copy (param $d i32) (param $s i32) (param $b i32)
    (block $bv (loop $lv
      (br_if $bv (i32.lt_u (local.get $b) (i32.const 16)))
      (v128.store (local.get $d) (v128.load (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (local.set $s (i32.add (local.get $s) (i32.const 16)))
      (local.set $b (i32.sub (local.get $b) (i32.const 16)))
      (br $lv)))
    (block $bs (loop $ls
      (br_if $bs (i32.eqz (local.get $b)))
      (i32.store (local.get $d) (i32.load (local.get $s)))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (local.set $s (i32.add (local.get $s) (i32.const 4)))
      (local.set $b (i32.sub (local.get $b) (i32.const 4)))
      (br $ls))))
  (func (export "pad")
    (param $x i32) (param $xp i32) (param $n i32) (param $ih i32) (param $iw i32) (param $ci i32)
    (param $ihp i32) (param $iwp i32) (param $pt i32) (param $pl i32)
    (local $rowIn i32) (local $rowOut i32) (local $left i32) (local $span i32) (local $right i32)
    (local $img i32) (local $r i32) (local $h i32) (local $dst i32)
    (local.set $rowIn (i32.shl (i32.mul (local.get $iw) (local.get $ci)) (i32.const 2)))
    (local.set $rowOut (i32.shl (i32.mul (local.get $iwp) (local.get $ci)) (i32.const 2)))
    ;; padded columns [min(pl, iwp), min(pl + iw, iwp)) hold x's columns from 0
    (local.set $left (select (local.get $pl) (local.get $iwp) (i32.lt_u (local.get $pl) (local.get $iwp))))
    (local.set $span (i32.add (local.get $pl) (local.get $iw)))
    (local.set $span (select (local.get $span) (local.get $iwp) (i32.lt_u (local.get $span) (local.get $iwp))))
    (local.set $span (i32.sub (local.get $span) (local.get $left)))
    (local.set $left (i32.shl (i32.mul (local.get $left) (local.get $ci)) (i32.const 2)))
    (local.set $span (i32.shl (i32.mul (local.get $span) (local.get $ci)) (i32.const 2)))
    (local.set $right (i32.sub (i32.sub (local.get $rowOut) (local.get $left)) (local.get $span)))
    (local.set $dst (local.get $xp))
    (block $bImg (loop $lImg
      (br_if $bImg (i32.ge_u (local.get $img) (local.get $n)))
      (local.set $r (i32.const 0))
      (block $bRow (loop $lRow
        (br_if $bRow (i32.ge_u (local.get $r) (local.get $ihp)))
        (local.set $h (i32.sub (local.get $r) (local.get $pt)))
        (if (i32.lt_u (local.get $h) (local.get $ih))
          (then
            (call $zero (local.get $dst) (local.get $left))
            (call $copy
              (i32.add (local.get $dst) (local.get $left))
              (i32.add (local.get $x)
                (i32.mul (i32.add (i32.mul (local.get $img) (local.get $ih)) (local.get $h)) (local.get $rowIn)))
              (local.get $span))
            (call $zero (i32.add (i32.add (local.get $dst) (local.get $left)) (local.get $span)) (local.get $right)))
          (else
            (call $zero (local.get $dst) (local.get $rowOut))))
        (local.set $dst (i32.add (local.get $dst) (local.get $rowOut)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $lRow)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $lImg)))
  )`;
}

function kernelFunc(tk: number, tc: number, relaxed: boolean): string {
  const acc = (i: number, t: number) => `$a${i}_${t}`;
  const locals: string[] = [];
  for (let i = 0; i < tk; i++) for (let t = 0; t < tc; t++) locals.push(`(local ${acc(i, t)} v128)`);
  for (let t = 0; t < tc; t++) locals.push(`(local $d${t} v128)`);
  const rowAddr = (i: number) =>
    i === 0 ? '(local.get $a)' : `(i32.add (local.get $a) (i32.mul (local.get $accRow) (i32.const ${i})))`;
  const loadAcc: string[] = [];
  const storeAcc: string[] = [];
  for (let i = 0; i < tk; i++) {
    for (let t = 0; t < tc; t++) {
      loadAcc.push(`(local.set ${acc(i, t)} (v128.load offset=${16 * t} ${rowAddr(i)}))`);
      storeAcc.push(`(v128.store offset=${16 * t} ${rowAddr(i)} (local.get ${acc(i, t)}))`);
    }
  }
  const body: string[] = [];
  for (let t = 0; t < tc; t++) body.push(`(local.set $d${t} (v128.load offset=${16 * t} (local.get $dp)))`);
  for (let i = 0; i < tk; i++) {
    body.push(`(local.set $s (v128.load32_splat offset=${4 * i} (local.get $xp)))`);
    for (let t = 0; t < tc; t++) {
      const a = acc(i, t);
      body.push(madd('$s', `$d${t}`, a, relaxed));
    }
  }
  return `
  (func (export "fg_${tk}x${tc}")
    (param $x i32) (param $dy i32) (param $acc i32) (param $n i32) (param $kh i32) (param $jp i32)
    (param $oh i32) (param $ow i32) (param $xImg i32) (param $xKh i32) (param $xOh i32) (param $xOw i32)
    (param $dyPos i32) (param $dyImg i32) (param $accRow i32)
    (local $img i32) (local $k i32) (local $j i32) (local $h i32) (local $w i32)
    (local $xn i32) (local $dyn i32) (local $a i32) (local $xr i32) (local $xp i32) (local $dp i32)
    (local $s v128)
${indent(locals, 4)}
    (local.set $xn (local.get $x))
    (local.set $dyn (local.get $dy))
    (block $bImg (loop $lImg
      (br_if $bImg (i32.ge_u (local.get $img) (local.get $n)))
      (local.set $k (i32.const 0))
      (block $bKh (loop $lKh
        (br_if $bKh (i32.ge_u (local.get $k) (local.get $kh)))
        (local.set $j (i32.const 0))
        (block $bJ (loop $lJ
          (br_if $bJ (i32.ge_u (local.get $j) (local.get $jp)))
          (local.set $a (i32.add (local.get $acc)
            (i32.mul (i32.add (i32.mul (local.get $k) (local.get $jp)) (local.get $j)) (local.get $accRow))))
${indent(loadAcc, 10)}
          (local.set $xr (i32.add (i32.add (local.get $xn) (i32.mul (local.get $k) (local.get $xKh)))
            (i32.shl (local.get $j) (i32.const 2))))
          (local.set $dp (local.get $dyn))
          (local.set $h (local.get $oh))
          (loop $lOh
            (local.set $xp (local.get $xr))
            (local.set $w (local.get $ow))
            (loop $lOw
${indent(body, 14)}
              (local.set $xp (i32.add (local.get $xp) (local.get $xOw)))
              (local.set $dp (i32.add (local.get $dp) (local.get $dyPos)))
              (local.set $w (i32.sub (local.get $w) (i32.const 1)))
              (br_if $lOw (local.get $w)))
            (local.set $xr (i32.add (local.get $xr) (local.get $xOh)))
            (local.set $h (i32.sub (local.get $h) (i32.const 1)))
            (br_if $lOh (local.get $h)))
${indent(storeAcc, 10)}
          (local.set $j (i32.add (local.get $j) (i32.const ${tk})))
          (br $lJ)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $lKh)))
      (local.set $xn (i32.add (local.get $xn) (local.get $xImg)))
      (local.set $dyn (i32.add (local.get $dyn) (local.get $dyImg)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $lImg)))
  )`;
}

/** The filter-gradient functions of the module (./simdWat.ts): `pad` and one `fg_<TK>x<TC>` per tile. */
export function filterGradFuncs(relaxed: boolean): string {
  return padFunc() + TILES.map(([tk, tc]) => kernelFunc(tk, tc, relaxed)).join('');
}
