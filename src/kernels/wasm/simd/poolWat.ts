/**
 * The WebAssembly text of average pooling and its gradient where the windows
 * tile the input exactly (stride = window, no padding, OH·FH = IH and
 * OW·FW = IW, as LeNet's 2×2 pools): each input pixel belongs to one window.
 * Assembled with the module's other functions (./simdWat.ts).
 *
 * Pixels of C channels are copied as V = ⌈C/4⌉ f32x4 vectors, the last one
 * reaching up to 12 bytes into the next pixels when C is not a multiple of 4;
 * pixels are written in increasing order, so the next ones overwrite those
 * lanes. The range's last pixels, whose vectors would reach past it, are
 * written one float at a time, so nothing past the range (another thread's,
 * or past the tensor) is touched. Loads may read up to 12 bytes past a pixel.
 *
 * The scale comes as its float32 bits (every argument is an i32, so calls
 * can pass through the helpers' Int32Array).
 *
 * - `pool_grad(dy, dx, r0, r1, OW, FH, FW, C, V, scale)`: input rows
 *   [r0, r1) of dx (counted over all images: row R is dy's row R / FH),
 *   dx[R, w, :] = scale · dy[R / FH, w / FW, :].
 * - `pool_avg(x, y, r0, r1, OW, FH, FW, C, V, scale)`: output rows [r0, r1)
 *   of y, y[R, ow, :] = scale · Σ x[R·FH + kh, ow·FW + kw, :].
 */
function scalarPixel(dst: string, value: (c: string) => string): string {
  return `
        (local.set $c (i32.const 0))
        (loop $lc
          (f32.store (i32.add ${dst} (i32.shl (local.get $c) (i32.const 2))) ${value('$c')})
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $lc (i32.lt_u (local.get $c) (local.get $C))))`;
}

export function poolFuncs(): string {
  const params = '(param $r0 i32) (param $r1 i32) (param $OW i32) (param $FH i32) (param $FW i32) (param $C i32) (param $V i32) (param $scaleBits i32)';
  return `
  (func (export "pool_grad") (param $dy i32) (param $dx i32) ${params}
    (local $pix i32) (local $end i32) (local $src i32) (local $dst i32) (local $ow i32) (local $kw i32) (local $v i32) (local $c i32)
    (local $s v128) (local $scale f32)
    (local.set $scale (f32.reinterpret_i32 (local.get $scaleBits)))
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    (local.set $dst (i32.add (local.get $dx) (i32.mul (i32.mul (local.get $r0) (i32.mul (local.get $OW) (local.get $FW))) (local.get $pix))))
    (local.set $end (i32.add (local.get $dx) (i32.mul (i32.mul (local.get $r1) (i32.mul (local.get $OW) (local.get $FW))) (local.get $pix))))
    (block $bR (loop $lR
      (br_if $bR (i32.ge_u (local.get $r0) (local.get $r1)))
      (local.set $src (i32.add (local.get $dy) (i32.mul (i32.mul (i32.div_u (local.get $r0) (local.get $FH)) (local.get $OW)) (local.get $pix))))
      (local.set $ow (local.get $OW))
      (loop $lOw
        (local.set $kw (local.get $FW))
        (loop $lKw
          (if (i32.gt_u (i32.add (local.get $dst) (i32.shl (local.get $V) (i32.const 4))) (local.get $end))
            (then ${scalarPixel('(local.get $dst)', (c) => `(f32.mul (f32.load (i32.add (local.get $src) (i32.shl (local.get ${c}) (i32.const 2)))) (local.get $scale))`)})
            (else
              (local.set $v (i32.const 0))
              (loop $lV
                (v128.store (i32.add (local.get $dst) (i32.shl (local.get $v) (i32.const 4)))
                  (f32x4.mul (v128.load (i32.add (local.get $src) (i32.shl (local.get $v) (i32.const 4)))) (local.get $s)))
                (local.set $v (i32.add (local.get $v) (i32.const 1)))
                (br_if $lV (i32.lt_u (local.get $v) (local.get $V))))))
          (local.set $dst (i32.add (local.get $dst) (local.get $pix)))
          (local.set $kw (i32.sub (local.get $kw) (i32.const 1)))
          (br_if $lKw (local.get $kw)))
        (local.set $src (i32.add (local.get $src) (local.get $pix)))
        (local.set $ow (i32.sub (local.get $ow) (i32.const 1)))
        (br_if $lOw (local.get $ow)))
      (local.set $r0 (i32.add (local.get $r0) (i32.const 1)))
      (br $lR)))
  )
  (func (export "pool_avg") (param $x i32) (param $y i32) ${params}
    (local $pix i32) (local $end i32) (local $row i32) (local $src i32) (local $dst i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $v i32) (local $c i32) (local $p i32) (local $a v128) (local $sum f32) (local $s v128) (local $scale f32)
    (local.set $scale (f32.reinterpret_i32 (local.get $scaleBits)))
    (local.set $s (f32x4.splat (local.get $scale)))
    (local.set $pix (i32.shl (local.get $C) (i32.const 2)))
    ;; bytes per input row
    (local.set $row (i32.mul (i32.mul (local.get $OW) (local.get $FW)) (local.get $pix)))
    (local.set $dst (i32.add (local.get $y) (i32.mul (i32.mul (local.get $r0) (local.get $OW)) (local.get $pix))))
    (local.set $end (i32.add (local.get $y) (i32.mul (i32.mul (local.get $r1) (local.get $OW)) (local.get $pix))))
    (block $bR (loop $lR
      (br_if $bR (i32.ge_u (local.get $r0) (local.get $r1)))
      (local.set $src (i32.add (local.get $x) (i32.mul (i32.mul (local.get $r0) (local.get $FH)) (local.get $row))))
      (local.set $ow (local.get $OW))
      (loop $lOw
        (if (i32.gt_u (i32.add (local.get $dst) (i32.shl (local.get $V) (i32.const 4))) (local.get $end))
          (then
            (local.set $c (i32.const 0))
            (loop $lc
              (local.set $sum (f32.const 0))
              (local.set $kh (i32.const 0))
              (loop $lKh1
                (local.set $kw (i32.const 0))
                (loop $lKw1
                  (local.set $sum (f32.add (local.get $sum) (f32.load (i32.add (i32.add (local.get $src)
                    (i32.add (i32.mul (local.get $kh) (local.get $row)) (i32.mul (local.get $kw) (local.get $pix))))
                    (i32.shl (local.get $c) (i32.const 2))))))
                  (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                  (br_if $lKw1 (i32.lt_u (local.get $kw) (local.get $FW))))
                (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                (br_if $lKh1 (i32.lt_u (local.get $kh) (local.get $FH))))
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $c) (i32.const 2))) (f32.mul (local.get $sum) (local.get $scale)))
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br_if $lc (i32.lt_u (local.get $c) (local.get $C)))))
          (else
            (local.set $v (i32.const 0))
            (loop $lV
              (local.set $a (v128.const i32x4 0 0 0 0))
              (local.set $kh (i32.const 0))
              (loop $lKh
                (local.set $p (i32.add (i32.add (local.get $src) (i32.mul (local.get $kh) (local.get $row))) (i32.shl (local.get $v) (i32.const 4))))
                (local.set $kw (local.get $FW))
                (loop $lKw
                  (local.set $a (f32x4.add (local.get $a) (v128.load (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (local.get $pix)))
                  (local.set $kw (i32.sub (local.get $kw) (i32.const 1)))
                  (br_if $lKw (local.get $kw)))
                (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
                (br_if $lKh (i32.lt_u (local.get $kh) (local.get $FH))))
              (v128.store (i32.add (local.get $dst) (i32.shl (local.get $v) (i32.const 4))) (f32x4.mul (local.get $a) (local.get $s)))
              (local.set $v (i32.add (local.get $v) (i32.const 1)))
              (br_if $lV (i32.lt_u (local.get $v) (local.get $V))))))
        (local.set $dst (i32.add (local.get $dst) (local.get $pix)))
        (local.set $src (i32.add (local.get $src) (i32.mul (local.get $FW) (local.get $pix))))
        (local.set $ow (i32.sub (local.get $ow) (i32.const 1)))
        (br_if $lOw (local.get $ow)))
      (local.set $r0 (i32.add (local.get $r0) (i32.const 1)))
      (br $lR)))
  )`;
}
