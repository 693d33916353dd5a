import { describe, expect, it } from 'vitest';
import type { MeasureResult, MethodFigures, QueryFigures, ViewsReply } from '../../src/bench/protocol';
import { presetConfig } from '../../src/core/config/params';
import {
  PYTORCH_HEADER, STEP_HEADER, TABLE_HEADER, stepSummary, idleCostPerEpochMs, jsonLine, lineFrom, pytorchSummary, rounded, summaryTable, tableRow, viewsJsonLine,
  viewsLineFrom, viewsSummary, withPytorch, type BenchLine,
} from './report';

const base: BenchLine = {
  mode: 'browser', backend: 'webgpu', available: false, note: 'WebGPU unavailable: no adapter', images: 4096, batch: 256,
  warmup: 512, rounds: 1, runtime: 'Chromium 1', tfjs: '4.22.0', loadAverage: 1.234567, startedAt: '2026-01-01T00:00:00.000Z',
};

function figures(imagesPerSecond: number): MethodFigures {
  return {
    imagesPerSecond, msPerStep: (1000 * 256) / imagesPerSecond, roundsImagesPerSecond: [imagesPerSecond], wallSeconds: 4096 / imagesPerSecond,
    trainLoss: 2.2, trainAccuracy: 0.2, tensorsLeakedPerRun: 0, cpuMsPerStep: 2, dispatchesPerStep: null,
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
    expect(row.slice(7, 11)).toEqual(['–', '–', '400.0', '2.00×']);
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
    expect(keys.slice(0, 10)).toEqual([
      'mode', 'backend', 'available', 'ours', 'fit', 'oursOverFit', 'fitOurKernels', 'oursOverFitOurKernels', 'oursGflops', 'coldStartSeconds',
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
    // 800 images/s × 6 × 416,520 multiply-adds = 2.00 GFLOP/s.
    expect(row.trim().split(/\s+/)).toEqual(['wasm', '256', '800.0', '320.0', '2.000', '–', '2.00', '100.0', '8.00×', '400.0', '2.00×', '12.3', '9.9', '5→5', '64.0']);
    expect(table).toMatch(/tfjs as shipped\): model\.fit on tfjs's own kernels/);
    expect(table).toMatch(/ours\/that is what the training loop alone gains/);
  });

  it('says why a backend is missing from the table', () => {
    expect(summaryTable([base])).toContain('webgpu   unavailable: WebGPU unavailable: no adapter');
  });
});

describe('against PyTorch', () => {
  const torch = (imagesPerSecond: number) => ({
    available: true, torch: '1.13.0', threads: 2, images: 4096, batch: 256, warmup: 512, rounds: 1, imagesPerSecond, gflops: imagesPerSecond * 2.49912e-3,
  });

  it('puts ours / PyTorch and the GFLOP/s next to the wasm figures in its JSON line', () => {
    const line = withPytorch(lineFrom(wasm, app, { available: true, note: null, result: stock }), torch(1000));
    expect(line.oursOverPytorch).toBe(0.8);
    const parsed = JSON.parse(jsonLine(line));
    expect(Object.keys(parsed).slice(8, 11)).toEqual(['oursGflops', 'oursOverPytorch', 'pytorch']);
    expect(parsed.oursGflops).toBe(1.999);
    expect(parsed.pytorch.imagesPerSecond).toBe(1000);
  });

  it('prints a table row per wasm line, batch by batch', () => {
    const at = (batch: number, ours: number, theirs: number) =>
      withPytorch(lineFrom({ ...wasm, batch }, result({ ours: figures(ours) })), { ...torch(theirs), batch });
    const [title, header, ...rows] = pytorchSummary([at(64, 1600, 800), at(1024, 800, 1600), lineFrom(base, null)]);
    expect(title).toMatch(/^Ours against PyTorch's CPU build \(torch 1\.13\.0\).*as many threads as wasm used$/);
    expect(header.split(/\s{2,}/)).toEqual([...PYTORCH_HEADER]);
    expect(rows.map((r) => r.trim().split(/\s+/))).toEqual([
      ['wasm', '64', '2', '1600.0', '4.00', '800.0', '2.00', '2.00×'],
      ['wasm', '1024', '2', '800.0', '2.00', '1600.0', '4.00', '0.50×'],
    ]);
    expect(summaryTable([at(64, 1600, 800)])).toContain('\n\nOurs against PyTorch');
  });

  it('says once why PyTorch did not run, and per line when the reasons differ', () => {
    const skipped = (note: string, batch = 256) => withPytorch(lineFrom({ ...wasm, batch }, app), { available: false, note });
    expect(pytorchSummary([skipped('no torch', 64), skipped('no torch', 256)])).toEqual(['PyTorch comparison skipped: no torch']);
    const mixed = pytorchSummary([skipped('it crashed', 64), withPytorch(lineFrom(wasm, app), torch(800))]);
    expect(mixed[2]).toMatch(/^wasm\s+batch 64: PyTorch did not run: it crashed$/);
    expect(mixed[3]).toMatch(/1\.00×$/);
    expect(pytorchSummary([lineFrom(wasm, app)])).toEqual([]);
    expect(summaryTable([lineFrom(wasm, app)])).not.toMatch(/PyTorch/);
  });

  it('names every batch size in the title', () => {
    expect(summaryTable([lineFrom({ ...wasm, batch: 64 }, app), lineFrom({ ...wasm, batch: 1024 }, app)]).split('\n')[0])
      .toMatch(/batch 64, 1024, 4096 timed images after 512 warm-up/);
  });
});

describe('views open against closed', () => {
  const q = (answered: number, extra: Partial<QueryFigures> = {}): QueryFigures => ({
    requested: answered, sent: answered, replaced: 0, answered, unavailable: 0, failed: 0, medianMs: 12.34, maxMs: 56.78, ...extra,
  });
  const reply: ViewsReply = {
    requested: 'wasm', backend: 'wasm', details: 'SIMD, 2 threads of 2 cores', note: null, available: true, dataSeconds: 1.5,
    config: { ...presetConfig('d2l'), train: 4096, test: 1000, epochs: 3, batch: 256, backend: 'wasm' }, warmupRuns: 1, skipEpochs: 1,
    kinds: ['samples', 'predict', 'activations', 'mistakes', 'cell'],
    runs: [
      { runId: 1, mode: 'closed', warmup: true, epochSeconds: [2, 1.9, 1.9], end: 'done' },
      { runId: 2, mode: 'closed', warmup: false, epochSeconds: [1.9, 1.8, 1.84], end: 'done', queries: undefined },
    ],
    closed: { medianEpochSeconds: 1.82, epochSeconds: [1.8, 1.84], runs: 3 },
    open: { medianEpochSeconds: 1.84, epochSeconds: [1.83, 1.85], runs: 3 },
    openOverClosed: 1.84 / 1.82, pairRatios: [1.01, 1.02, 1.005], pairedOpenOverClosed: 1.01,
    queries: { predict: q(93, { replaced: 4, requested: 97 }), activations: q(40, { unavailable: 2 }), mistakes: q(8), cell: q(8), samples: q(6) },
    idleQueryMs: { ping: 0.3, samples: 0.4, predict: 3.2, activations: 3.7, mistakes: 0.4, cell: 0.1 },
    wallSeconds: 40,
  };
  const base = { backend: 'wasm' as const, runtime: 'Chromium 1', tfjs: '4.22.0', loadAverage: 0.5, startedAt: '2026-01-01T00:00:00.000Z' };

  it('prints the issue\'s line: both medians, the ratio, the paired ratio, the runs and the queries answered', () => {
    const line = viewsLineFrom({ ...base, loadAverageAfter: 2.1, cores: 2 }, reply);
    const [head, ...notes] = viewsSummary(line);
    expect(head).toBe('views open/closed: epoch 1.84 s vs 1.82 s = 1.011× (+1.1%), paired 1.010× (+1.0%) (wasm; 3+3 runs, 2+2 epochs; ' +
      'queries answered: predict 93, activations 40 (+2 unavailable), mistakes 8, cell 8, samples 6)');
    expect(notes.join('\n')).toMatch(/open: 1\.83 1\.85; closed: 1\.80 1\.84; open\/closed pair by pair: 1\.010 1\.020 1\.005/);
    expect(notes.join('\n')).toMatch(/while training, median \/ max ms: predict 12\.3 \/ 56\.8,.*replaced while one was in flight: predict 4,/);
    expect(notes.join('\n')).toMatch(/idle worker, median ms: predict 3\.2, activations 3\.7, mistakes 0\.4, cell 0\.1, samples 0\.4; Comlink ping 0\.3/);
    // (93 × 3.2 + 42 × 3.7 + 8 × 0.4 + 8 × 0.1 + 6 × 0.4) / (3 runs × 3 epochs) = 51.0 ms, 2.8% of 1.82 s.
    expect(idleCostPerEpochMs(line)).toBeCloseTo(51.04, 2);
    expect(notes.join('\n')).toMatch(/answers took about 51\.0 ms per epoch \(2\.8% of a closed epoch\)/);
    expect(notes.join('\n')).not.toMatch(/busy/);
    expect(viewsSummary({ ...line, loadAverageAfter: 4.5 }).join('\n')).toMatch(/the machine was busy \(1-minute load average 4\.50/);
  });

  it('names the backend that ran when it is not the one asked for, and the kinds when not all', () => {
    const line = viewsLineFrom(base, { ...reply, backend: 'cpu', kinds: ['cell', 'predict'] });
    expect(line.ranOn).toBe('cpu');
    expect(line.kinds).toEqual(['predict', 'cell']);
    expect(viewsSummary(line)[0]).toMatch(/\(cpu, asked for wasm; .*only queries answered: predict 93, cell 8\)$/);
    expect(viewsLineFrom(base, reply).ranOn).toBeUndefined();
  });

  it('puts the figures first in its JSON line, rounded, with every run\'s epochs', () => {
    const parsed = JSON.parse(viewsJsonLine(viewsLineFrom(base, reply)));
    expect(Object.keys(parsed).slice(0, 9)).toEqual([
      'figure', 'mode', 'backend', 'available', 'closedEpochSeconds', 'openEpochSeconds', 'openOverClosed', 'pairedOpenOverClosed', 'runtime',
    ]);
    expect(parsed.openOverClosed).toBe(1.011);
    expect(parsed.runs).toEqual([
      { runId: 1, mode: 'closed', warmup: true, epochSeconds: [2, 1.9, 1.9] },
      { runId: 2, mode: 'closed', warmup: false, epochSeconds: [1.9, 1.8, 1.84] },
    ]);
    expect(parsed.config).toEqual({ preset: 'd2l', train: 4096, test: 1000, epochs: 3, batch: 256 });
  });

  it('says why there is no figure', () => {
    expect(viewsSummary({ figure: 'views', mode: 'browser', ...base, available: false, error: 'the bench worker crashed' }))
      .toEqual(['views open/closed (wasm): not measured: the bench worker crashed']);
  });
});

describe('stepSummary', () => {
  it('puts the compiled step beside our loop on tfjs\'s kernels, with the CPU-bound rate and both ratios', () => {
    const compiled = { ...figures(100_000), cpuMsPerStep: 0.08, dispatchesPerStep: 18 };
    const tfjs = { ...figures(40_000), cpuMsPerStep: 6, dispatchesPerStep: 112 };
    const line = lineFrom({ ...base, available: true, note: 'Dawn' }, result({ ours: compiled, tfjsKernels: tfjs, stepNote: 'compiled training step, 18 GPU programs per step' }));
    const summary = stepSummary([line]);
    expect(summary[1].split(/\s{2,}/)).toEqual([...STEP_HEADER]);
    expect(summary[2].trim().split(/\s{2,}/)).toEqual(['webgpu', '256', 'compiled step', '100000.0', '0.080', '3200000', '18']);
    expect(summary[3].trim().split(/\s{2,}/)).toEqual(['webgpu', '256', 'tfjs kernels', '40000.0', '6.000', '42667', '112']);
    expect(summary[4]).toBe('webgpu batch 256: compiled training step, 18 GPU programs per step; 75.0× less CPU per step, 6.2× fewer dispatches, 2.50× the images/s');
    expect(stepSummary([{ ...line, tfjsKernels: undefined }])).toEqual([]);
  });
});
