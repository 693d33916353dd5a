/**
 * The WebAssembly text of the module's streaming functions (./simdWat.ts):
 * a bias added along a tensor's last axis, and the sum over all axes but the
 * last (the bias's gradient). Both walk the tensor as whole f32x4 vectors
 * against a "pattern" of pvec vectors: the bias repeated lcm(C, 4) / C times,
 * so vector i of the tensor lines up with pattern vector i mod pvec for any
 * channel count C. The caller does the last (size mod 4) values.
 *
 * - `add_pattern(x, pattern, out, nvec, pvec)`: out[i] = x[i] + pattern[i mod pvec]
 * - `sum_pattern(x, acc, nvec, pvec)`: acc[i mod pvec] += x[i]
 */
export function streamFuncs(): string {
  return `
  (func (export "add_pattern") (param $x i32) (param $p i32) (param $out i32) (param $nvec i32) (param $pvec i32)
    (local $pp i32) (local $pend i32)
    (local.set $pp (local.get $p))
    (local.set $pend (i32.add (local.get $p) (i32.shl (local.get $pvec) (i32.const 4))))
    (block $b (loop $l
      (br_if $b (i32.eqz (local.get $nvec)))
      (v128.store (local.get $out) (f32x4.add (v128.load (local.get $x)) (v128.load (local.get $pp))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
      (if (i32.eq (local.get $pp) (local.get $pend)) (then (local.set $pp (local.get $p))))
      (local.set $nvec (i32.sub (local.get $nvec) (i32.const 1)))
      (br $l)))
  )
  (func (export "sum_pattern") (param $x i32) (param $acc i32) (param $nvec i32) (param $pvec i32)
    (local $pp i32) (local $pend i32)
    (local.set $pp (local.get $acc))
    (local.set $pend (i32.add (local.get $acc) (i32.shl (local.get $pvec) (i32.const 4))))
    (block $b (loop $l
      (br_if $b (i32.eqz (local.get $nvec)))
      (v128.store (local.get $pp) (f32x4.add (v128.load (local.get $pp)) (v128.load (local.get $x))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
      (if (i32.eq (local.get $pp) (local.get $pend)) (then (local.set $pp (local.get $acc))))
      (local.set $nvec (i32.sub (local.get $nvec) (i32.const 1)))
      (br $l)))
  )`;
}

