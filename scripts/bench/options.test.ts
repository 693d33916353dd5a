import { describe, expect, it } from 'vitest';
import { DEFAULTS, OptionsError, optionWarnings, parseBenchArgs } from './options';
import { jsonLine, rounded, summaryTable, type BenchLine } from './report';

describe('parseBenchArgs', () => {
  it('defaults to every browser backend with the default sizes', () => {
    const options = parseBenchArgs([]);
    expect(options).toMatchObject({ mode: 'browser', backends: ['webgpu', 'webgl', 'wasm', 'cpu'], ...DEFAULTS, coldStart: true, build: true });
    expect(optionWarnings(options)).toEqual([]);
  });

  it('--node defaults to wasm and accepts cpu', () => {
    expect(parseBenchArgs(['--node']).backends).toEqual(['wasm']);
    expect(parseBenchArgs(['--node', '--backends=wasm,cpu']).backends).toEqual(['wasm', 'cpu']);
  });

  it('reads the issue\'s example, in both --key=value and --key value form', () => {
    const expected = { backends: ['wasm', 'webgl'], images: 4096, batch: 256, warmup: 512 };
    expect(parseBenchArgs(['--backends=wasm,webgl', '--images=4096', '--batch=256', '--warmup=512'])).toMatchObject(expected);
    expect(parseBenchArgs(['--backends', 'wasm,webgl', '--images', '4096', '--batch', '256', '--warmup', '512'])).toMatchObject(expected);
    expect(parseBenchArgs(['--rounds=3', '--no-cold', '--no-build'])).toMatchObject({ rounds: 3, coldStart: false, build: false });
  });

  it('rejects what it cannot run', () => {
    for (const argv of [['--backends=webgl', '--node'], ['--backends=metal'], ['--images=0'], ['--batch=1.5'],
      ['--images=abc'], ['--warmup'], ['--frobnicate'], ['train=512'], ['--backends=']]) {
      expect(() => parseBenchArgs(argv), argv.join(' ')).toThrow(OptionsError);
    }
  });

  it('warns about a ragged last batch and tiny runs', () => {
    const warnings = optionWarnings(parseBenchArgs(['--images=1000', '--batch=256']));
    expect(warnings.join('\n')).toMatch(/not a multiple/);
    expect(warnings.join('\n')).toMatch(/small/);
  });
});

describe('report', () => {
  const base: BenchLine = {
    mode: 'browser', backend: 'webgpu', available: false, note: 'WebGPU unavailable: no adapter', images: 4096, batch: 256,
    warmup: 512, rounds: 1, runtime: 'Chromium 1', tfjs: '4.22.0', loadAverage: 1.234567, startedAt: '2026-01-01T00:00:00.000Z',
  };

  it('rounds to four significant digits, integers untouched', () => {
    expect(rounded({ a: 1234.5678, b: [0.000123456], c: 42, d: null, e: 'x' })).toEqual({ a: 1235, b: [0.0001235], c: 42, d: null, e: 'x' });
  });

  it('puts the headline figures first in each JSON line', () => {
    const text = jsonLine({ ...base, available: true, oursOverFit: 1.23456, coldStartSeconds: 3 });
    expect(Object.keys(JSON.parse(text)).slice(0, 5)).toEqual(['mode', 'backend', 'available', 'oursOverFit', 'coldStartSeconds']);
    expect(JSON.parse(text).oursOverFit).toBe(1.235);
  });

  it('says why a backend is missing from the table', () => {
    expect(summaryTable([base])).toContain('webgpu   unavailable: WebGPU unavailable: no adapter');
  });
});
