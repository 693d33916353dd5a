import { describe, expect, it } from 'vitest';
import { lastLine, parsePytorchOutput, pytorchArgs, pytorchSettings, pytorchSkipped, wasmThreads } from './pytorch';
import { D2L_MULTIPLY_ADDS, gflops, thousands } from './rates';

describe('rates', () => {
  it('counts the d2l network\'s multiply-adds per image', () => {
    expect(D2L_MULTIPLY_ADDS).toBe(416_520);
    expect(thousands(D2L_MULTIPLY_ADDS)).toBe('416,520');
  });

  it('gives GFLOP/s as 6 × multiply-adds × images/s / 1e9', () => {
    expect(gflops(4800)).toBeCloseTo(11.996, 3);
    expect(gflops(1000, 1e6)).toBe(6);
  });
});

describe('PyTorch', () => {
  it('reads wasm\'s thread count from the browser\'s and Node\'s backend details', () => {
    expect(wasmThreads('SIMD, 2 threads of 2 cores')).toBe(2);
    expect(wasmThreads('SIMD, 1 thread of 4 cores (threads need a cross-origin isolated page); WEBGL_PACK=false')).toBe(1);
    expect(wasmThreads('SIMD true, threads 1; our training kernels')).toBe(1);
    expect(wasmThreads('plain JavaScript')).toBeNull();
    expect(wasmThreads(null)).toBeNull();
  });

  it('runs the script with the line\'s settings and wasm\'s threads', () => {
    const line = { note: 'SIMD, 2 threads of 2 cores', images: 4096, batch: 64, warmup: 512, rounds: 3 };
    const settings = pytorchSettings(line);
    expect(settings).toEqual({ images: 4096, batch: 64, warmup: 512, rounds: 3, threads: 2 });
    expect(pytorchArgs(settings as Exclude<typeof settings, string>))
      .toEqual(['--images', '4096', '--batch', '64', '--warmup', '512', '--rounds', '3', '--threads', '2']);
    expect(pytorchSettings({ ...line, note: 'no SIMD' })).toMatch(/does not say how many threads/);
  });

  it('parses the script\'s JSON line and adds the arithmetic rate', () => {
    const out = 'a warning\n{"backend": "pytorch-cpu", "torch": "1.13.0a0", "threads": 2, "images": 4096, "batch": 256, ' +
      '"warmup": 512, "rounds": 3, "imagesPerSecond": 4800.0, "msPerStep": 53.3, "roundsImagesPerSecond": [4700.0, 4800.0, 4900.0]}\n';
    const figures = parsePytorchOutput(out);
    expect(figures).toMatchObject({ available: true, torch: '1.13.0a0', threads: 2, batch: 256, imagesPerSecond: 4800, rounds: 3 });
    expect(figures.gflops).toBeCloseTo(11.996, 3);
    expect(() => parsePytorchOutput('Traceback …\n')).toThrow(/no result line/);
  });

  it('says why it was skipped and how to install it', () => {
    expect(lastLine('Traceback (most recent call last):\n  File "<string>", line 1\nModuleNotFoundError: No module named \'torch\'\n'))
      .toBe('ModuleNotFoundError: No module named \'torch\'');
    expect(pytorchSkipped('no torch')).toBe('PyTorch comparison skipped: no torch');
  });
});
