import { describe, expect, it } from 'vitest';
import type { MeasureResult, MethodFigures } from '../../src/bench/protocol';
import { TABLE_HEADER, jsonLine, lineFrom, rounded, summaryTable, tableRow, type BenchLine } from './report';

const base: BenchLine = {
  mode: 'browser', backend: 'webgpu', available: false, note: 'WebGPU unavailable: no adapter', images: 4096, batch: 256,
  warmup: 512, rounds: 1, runtime: 'Chromium 1', tfjs: '4.22.0', loadAverage: 1.234567, startedAt: '2026-01-01T00:00:00.000Z',
};

function figures(imagesPerSecond: number): MethodFigures {
  return {
    imagesPerSecond, msPerStep: (1000 * 256) / imagesPerSecond, roundsImagesPerSecond: [imagesPerSecond], wallSeconds: 4096 / imagesPerSecond,
    trainLoss: 2.2, trainAccuracy: 0.2, tensorsLeakedPerRun: 0,
  };
}

function result(parts: Partial<MeasureResult>): MeasureResult {
  return { steps: 16, tensorsBefore: 0, tensorsAfter: 0, peakHeapBytes: 2 ** 20, heapSamples: 3, ...parts };
}

const app = result({ ours: figures(800), fit: figures(400), oursOverFit: 2, tensorsBefore: 5, tensorsAfter: 5, peakHeapBytes: 64 * 2 ** 20 });
const stock = result({ fit: figures(100), tensorsBefore: 1, tensorsAfter: 2, peakHeapBytes: 32 * 2 ** 20 });
const wasm = { ...base, backend: 'wasm' as const, available: true, note: 'SIMD, 2 threads' };

describe('lineFrom', () => {
  it('takes ours and fitOurKernels from the app setup, fit from tfjs as shipped, and both ratios', () => {
    const line = lineFrom(wasm, app, { available: true, note: 'tfjs as shipped; SIMD, 1 thread', dataSeconds: 1, result: stock });
    expect(line.ours?.imagesPerSecond).toBe(800);
    expect(line.fit?.imagesPerSecond).toBe(100);
    expect(line.fitOurKernels?.imagesPerSecond).toBe(400);
    expect(line.oursOverFit).toBe(8);
    expect(line.oursOverFitOurKernels).toBe(2);
    expect(line.tensorsBefore).toBe(5);
    expect(line.peakHeapBytes).toBe(64 * 2 ** 20);
    expect(line.asShipped).toEqual({
      available: true, note: 'tfjs as shipped; SIMD, 1 thread', dataSeconds: 1, tensorsBefore: 1, tensorsAfter: 2, peakHeapBytes: 32 * 2 ** 20,
    });
  });

  it('keeps a heap peak measured from outside, even null, over the worker\'s own', () => {
    const line = lineFrom(wasm, app, { available: true, note: null, result: stock, peakHeapBytes: null, heapSource: 'CDP' });
    expect(line.asShipped?.peakHeapBytes).toBeNull();
    expect(line.asShipped?.heapSource).toBe('CDP');
  });

  it('leaves the baseline and its ratio out when tfjs as shipped did not run', () => {
    const line = lineFrom(wasm, app, { available: false, note: null, error: 'boom', result: null });
    expect(line.fit).toBeUndefined();
    expect(line.oursOverFit).toBeUndefined();
    expect(line.oursOverFitOurKernels).toBe(2);
    expect(line.asShipped).toEqual({ available: false, note: null, error: 'boom' });
    const row = tableRow(line);
    expect(row).toHaveLength(TABLE_HEADER.length);
    expect(row.slice(3, 7)).toEqual(['–', '–', '400.0', '2.00×']);
    expect(summaryTable([line])).toContain('wasm: tfjs as shipped did not run: boom');
  });

  it('has no figures for a backend that did not start', () => {
    expect(lineFrom(base, null)).toEqual({ ...base, oursOverFit: undefined, oursOverFitOurKernels: undefined });
  });
});

describe('report', () => {
  it('rounds to four significant digits, integers untouched', () => {
    expect(rounded({ a: 1234.5678, b: [0.000123456], c: 42, d: null, e: 'x' })).toEqual({ a: 1235, b: [0.0001235], c: 42, d: null, e: 'x' });
  });

  it('puts the headline figures first in each JSON line, the baseline before our-kernels fit', () => {
    const line = lineFrom(wasm, app, { available: true, note: null, result: stock });
    line.coldStartSeconds = 3;
    const keys = Object.keys(JSON.parse(jsonLine(line)));
    expect(keys.slice(0, 9)).toEqual([
      'mode', 'backend', 'available', 'ours', 'fit', 'oursOverFit', 'fitOurKernels', 'oursOverFitOurKernels', 'coldStartSeconds',
    ]);
    expect(JSON.parse(jsonLine({ ...wasm, oursOverFit: 1.23456 })).oursOverFit).toBe(1.235);
  });

  it('shows both fit figures, both ratios and the first-progress time in the table, with a legend', () => {
    const line = lineFrom(wasm, app, { available: true, note: null, result: stock });
    line.coldStartSeconds = 12.34;
    line.coldStart = { seconds: 12.34, firstProgressSeconds: 9.87 };
    const table = summaryTable([line]);
    const [, header, row] = table.split('\n');
    expect(header.split(/\s{2,}/)).toEqual([...TABLE_HEADER]);
    expect(row.trim().split(/\s+/)).toEqual(['wasm', '800.0', '320.0', '100.0', '8.00×', '400.0', '2.00×', '12.3', '9.9', '5→5', '64.0']);
    expect(table).toMatch(/tfjs as shipped\): model\.fit on tfjs's own kernels/);
    expect(table).toMatch(/ours\/that is what the training loop alone gains/);
  });

  it('says why a backend is missing from the table', () => {
    expect(summaryTable([base])).toContain('webgpu   unavailable: WebGPU unavailable: no adapter');
  });
});
