/**
 * Pieces of WebAssembly text shared by the kernel generators here
 * (./filterGradWat.ts, ./convWat.ts).
 */

/** `acc += a · b` on f32x4 locals: one fused multiply-add with relaxed SIMD (x86 with FMA), else mul + add. */
export function madd(a: string, b: string, acc: string, relaxed: boolean): string {
  return relaxed
    ? `(local.set ${acc} (f32x4.relaxed_madd (local.get ${a}) (local.get ${b}) (local.get ${acc})))`
    : `(local.set ${acc} (f32x4.add (local.get ${acc}) (f32x4.mul (local.get ${a}) (local.get ${b}))))`;
}

export function indent(lines: readonly string[], spaces: number): string {
  return lines.map((l) => ' '.repeat(spaces) + l).join('\n');
}
