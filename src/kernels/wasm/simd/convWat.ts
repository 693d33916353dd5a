/**
 * The WebAssembly text of the SIMD direct convolution (NHWC, dilation 1),
 * generated so that every register tile is written out in full. Assembled
 * into ./simdBinaries.ts with the module's other functions (./simdWat.ts).
 *
 * `cv_<TK>x<TC>r<R>`: for every image n, over a run of output positions in
 * tiles of TK (then one at a time for the last few), and one block of TC
 * f32x4 output-channel vectors:
 *
 *   out[n, oh, ow, 4·TC channels] = b + Σ_{kh, j} x[n, oh·sh + kh, ow·sw·CI + j] · w[kh, j, 4·TC channels]
 *
 * where j runs over the KW·CI (kw, ci) pairs of one filter row, contiguous
 * in an NHWC input row at any stride. A table of int32s gives each output
 * position's byte offset in its image's input, so a tile may span output
 * rows (a row of 14 is not a multiple of 4 or 8); the run's outputs are
 * contiguous in each image (outImg bytes apart). The caller may start x and
 * w some filter rows in and pass fewer rows, to skip rows of zero padding. x must be padded already (./pad in
 * ./filterGradWat.ts). w and b are the caller's copies with each filter row
 * padded to whole vectors, so no load reads past them. The tile keeps TK·TC
 * accumulators in registers: per tap, TC vector loads of w and TK splats of x.
 * The block's last vector stores only its first R lanes when R > 0 (the
 * channel count's remainder mod 4), so nothing past out is written.
 * flags bit 0: relu on the result.
 */
import { indent, madd } from './wat';

/** [TK, TC]: positions per tile for each width in f32x4 channel vectors. */
export const CONV_TILES: ReadonlyArray<readonly [number, number]> = [
  [8, 1],
  [4, 2],
  [3, 3],
  [2, 4],
];

/** The partial store of a tail vector's first r lanes at `addr` + offset. */
function storeLanes(r: number, offset: number, addr: string, value: string): string[] {
  const v = `(local.get ${value})`;
  if (r === 1) return [`(v128.store32_lane offset=${offset} 0 ${addr} ${v})`];
  if (r === 2) return [`(v128.store64_lane offset=${offset} 0 ${addr} ${v})`];
  return [`(v128.store64_lane offset=${offset} 0 ${addr} ${v})`, `(v128.store32_lane offset=${offset + 8} 2 ${addr} ${v})`];
}

/** One tile of tk positions starting at $xp (input) and $op (output). */
function tile(tk: number, tc: number, r: number, relaxed: boolean): string[] {
  const acc = (i: number, t: number) => `$a${i}_${t}`;
  const at = (base: string, i: number) => (i === 0 ? `(local.get ${base})` : `(i32.add (local.get ${base}) (local.get ${base}${i}))`);
  const lines: string[] = [];
  // The tile's positions from the table: $xp the first one's input, $xq<i> the others' relative to it.
  lines.push('(local.set $xp (i32.add (local.get $xn) (i32.load (local.get $tp))))');
  for (let i = 1; i < tk; i++) {
    lines.push(`(local.set $xq${i} (i32.sub (i32.load offset=${4 * i} (local.get $tp)) (i32.load (local.get $tp))))`);
  }
  for (let t = 0; t < tc; t++) lines.push(`(local.set $w${t} (v128.load offset=${16 * t} (local.get $b)))`);
  for (let i = 0; i < tk; i++) for (let t = 0; t < tc; t++) lines.push(`(local.set ${acc(i, t)} (local.get $w${t}))`);
  const body: string[] = [];
  for (let t = 0; t < tc; t++) body.push(`(local.set $w${t} (v128.load offset=${16 * t} (local.get $wp)))`);
  for (let i = 0; i < tk; i++) {
    body.push(`(local.set $s (v128.load32_splat ${at('$xq', i)}))`);
    for (let t = 0; t < tc; t++) body.push(madd('$s', `$w${t}`, acc(i, t), relaxed));
  }
  lines.push(
    '(local.set $wp (local.get $w))',
    '(local.set $xk (local.get $xp))',
    '(local.set $k (local.get $kh))',
    '(loop $lKh',
    '  (local.set $xq (local.get $xk))',
    '  (local.set $c (local.get $j))',
    '  (loop $lJ',
    indent(body, 4),
    '    (local.set $wp (i32.add (local.get $wp) (local.get $wRow)))',
    '    (local.set $xq (i32.add (local.get $xq) (i32.const 4)))',
    '    (local.set $c (i32.sub (local.get $c) (i32.const 1)))',
    '    (br_if $lJ (local.get $c)))',
    '  (local.set $xk (i32.add (local.get $xk) (local.get $xRow)))',
    '  (local.set $k (i32.sub (local.get $k) (i32.const 1)))',
    '  (br_if $lKh (local.get $k)))',
  );
  const relu: string[] = [];
  for (let i = 0; i < tk; i++) {
    for (let t = 0; t < tc; t++) relu.push(`(local.set ${acc(i, t)} (f32x4.max (local.get ${acc(i, t)}) (v128.const f32x4 0 0 0 0)))`);
  }
  lines.push('(if (i32.and (local.get $flags) (i32.const 1)) (then', indent(relu, 2), '))');
  for (let i = 0; i < tk; i++) {
    for (let t = 0; t < tc; t++) {
      const addr = at('$op', i);
      if (t === tc - 1 && r > 0) lines.push(...storeLanes(r, 16 * t, addr, acc(i, t)));
      else lines.push(`(v128.store offset=${16 * t} ${addr} (local.get ${acc(i, t)}))`);
    }
  }
  return lines;
}

function convFuncText(tk: number, tc: number, r: number, relaxed: boolean): string {
  const locals: string[] = [];
  for (let i = 0; i < tk; i++) for (let t = 0; t < tc; t++) locals.push(`(local $a${i}_${t} v128)`);
  for (let t = 0; t < tc; t++) locals.push(`(local $w${t} v128)`);
  // $xq<i>: position i's input relative to the tile's first; $op<i> = i·outPos.
  for (let i = 1; i < tk; i++) locals.push(`(local $xq${i} i32) (local $op${i} i32)`);
  const offsets: string[] = [];
  for (let i = 1; i < tk; i++) offsets.push(`(local.set $op${i} (i32.mul (local.get $outPos) (i32.const ${i})))`);
  return `
  (func (export "cv_${tk}x${tc}r${r}")
    (param $x i32) (param $w i32) (param $b i32) (param $out i32) (param $n i32) (param $table i32)
    (param $tiles i32) (param $rest i32) (param $kh i32) (param $j i32) (param $xImg i32) (param $xRow i32)
    (param $wRow i32) (param $outPos i32) (param $outImg i32) (param $flags i32)
    (local $img i32) (local $q i32) (local $xn i32) (local $on i32) (local $tp i32) (local $xp i32) (local $op i32)
    (local $wp i32) (local $xq i32) (local $xk i32) (local $k i32) (local $c i32)
    (local $s v128)
${indent(locals, 4)}
${indent(offsets, 4)}
    (local.set $on (local.get $out))
    (local.set $xn (local.get $x))
    (block $bImg (loop $lImg
      (br_if $bImg (i32.ge_u (local.get $img) (local.get $n)))
      (local.set $op (local.get $on))
      (local.set $tp (local.get $table))
      (local.set $q (local.get $tiles))
      (block $bTile (loop $lTile
        (br_if $bTile (i32.eqz (local.get $q)))
${indent(tile(tk, tc, r, relaxed), 8)}
        (local.set $tp (i32.add (local.get $tp) (i32.const ${4 * tk})))
        (local.set $op (i32.add (local.get $op) (i32.mul (local.get $outPos) (i32.const ${tk}))))
        (local.set $q (i32.sub (local.get $q) (i32.const 1)))
        (br $lTile)))
      (local.set $q (local.get $rest))
      (block $bRest (loop $lRest
        (br_if $bRest (i32.eqz (local.get $q)))
${indent(tile(1, tc, r, relaxed), 8)}
        (local.set $tp (i32.add (local.get $tp) (i32.const 4)))
        (local.set $op (i32.add (local.get $op) (local.get $outPos)))
        (local.set $q (i32.sub (local.get $q) (i32.const 1)))
        (br $lRest)))
      (local.set $xn (i32.add (local.get $xn) (local.get $xImg)))
      (local.set $on (i32.add (local.get $on) (local.get $outImg)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $lImg)))
  )`;
}

/** Every tile width with every tail (0–3 lanes of the last vector). OH, KH and the row's taps must be ≥ 1. */
export function convFuncs(relaxed: boolean): string {
  return CONV_TILES.flatMap(([tk, tc]) => [0, 1, 2, 3].map((r) => convFuncText(tk, tc, r, relaxed))).join('');
}

/** The function for a block of tc vectors whose last has r lanes (0: all 4), and its positions per tile. */
export function convFunc(tc: number, r: number): { name: string; tk: number } {
  const tile = CONV_TILES.find(([, c]) => c === tc);
  if (tile === undefined) throw new Error(`no tile for ${tc} channel vectors`);
  return { name: `cv_${tile[0]}x${tc}r${r}`, tk: tile[0] };
}
