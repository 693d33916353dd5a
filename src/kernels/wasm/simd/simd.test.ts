import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { renderSimdBinaries, SIMD_BINARIES_PATH } from '../../../../scripts/wasm-kernels';
import { SIMD_WASM_BASE64 } from './simdBinaries';
import { splitRange } from './simdModule';

describe('our WebAssembly SIMD module', () => {
  it('is committed as generated from its source (else run `npm run build:wasm-kernels`)', async () => {
    expect(readFileSync(SIMD_BINARIES_PATH, 'utf8')).toBe(await renderSimdBinaries());
  });

  it('compiles and instantiates against plain and shared memories (the builds without relaxed SIMD)', () => {
    for (const [name, shared] of [['plain', false], ['sharedPlain', true]] as const) {
      const bytes = Uint8Array.from(atob(SIMD_WASM_BASE64[name]), (c) => c.charCodeAt(0));
      const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      const names = Object.keys(instance.exports);
      expect(names).toEqual(expect.arrayContaining(['pad', 'fg_8x1', 'fg_2x4', 'cv_4x2r2', 'cv_2x4r0', 'add_pattern', 'sum_pattern', 'pool_avg', 'pool_grad']));
      expect(names).toHaveLength(1 + 4 + 16 + 2 + 2);
    }
  });

  it('splits a range into near-equal parts, each starting at a multiple of the step', () => {
    expect(splitRange(10, 2)).toEqual([[0, 5], [5, 5]]);
    expect(splitRange(7, 2)).toEqual([[0, 4], [4, 3]]);
    expect(splitRange(7, 3)).toEqual([[0, 2], [2, 3], [5, 2]]);
    expect(splitRange(1, 2)).toEqual([[0, 1], [1, 0]]);
    expect(splitRange(0, 2)).toEqual([[0, 0], [0, 0]]);
    expect(splitRange(301056, 2, 3)).toEqual([[0, 150528], [150528, 150528]]);
    expect(splitRange(10, 2, 3)).toEqual([[0, 6], [6, 4]]);
    expect(splitRange(2, 2, 3)).toEqual([[0, 2], [2, 0]]);
    expect(splitRange(5, 1)).toEqual([[0, 5]]);
  });
});

describe('where the engine cannot run our module', () => {
  it('simdModule answers undefined, so the kernels leave the work to tfjs', async () => {
    vi.resetModules();
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const compile = vi.spyOn(WebAssembly, 'Module').mockImplementation(() => {
      throw new WebAssembly.CompileError('no SIMD here');
    });
    try {
      const { simdModule: fresh } = await import('./simdModule');
      const memory = new WebAssembly.Memory({ initial: 1 });
      const backend = { wasm: { wasmMemory: memory } } as unknown as Parameters<typeof fresh>[0];
      expect(fresh(backend)).toBeUndefined();
      expect(fresh(backend)).toBeUndefined();
    } finally {
      compile.mockRestore();
      validate.mockRestore();
    }
  });
});
