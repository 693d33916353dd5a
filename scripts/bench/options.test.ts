import { describe, expect, it } from 'vitest';
import { DEFAULTS, OptionsError, VIEW_QUERY_KINDS, VIEWS_DEFAULTS, batchRuns, optionWarnings, parseBenchArgs, roundToBatch } from './options';

describe('parseBenchArgs', () => {
  it('defaults to every browser backend with the default sizes', () => {
    const options = parseBenchArgs([]);
    expect(options).toMatchObject({ mode: 'browser', backends: ['webgpu', 'webgl', 'wasm', 'cpu'], ...DEFAULTS, coldStart: true, build: true });
    expect(optionWarnings(options)).toEqual([]);
  });

  it('--node defaults to wasm and accepts cpu and webgpu', () => {
    expect(parseBenchArgs(['--node']).backends).toEqual(['wasm']);
    expect(parseBenchArgs(['--node', '--backends=wasm,cpu,webgpu']).backends).toEqual(['wasm', 'cpu', 'webgpu']);
  });

  it('reads the issue\'s example, in both --key=value and --key value form', () => {
    const expected = { backends: ['wasm', 'webgl'], images: 4096, batch: 256, warmup: 512 };
    expect(parseBenchArgs(['--backends=wasm,webgl', '--images=4096', '--batch=256', '--warmup=512'])).toMatchObject(expected);
    expect(parseBenchArgs(['--backends', 'wasm,webgl', '--images', '4096', '--batch', '256', '--warmup', '512'])).toMatchObject(expected);
    expect(parseBenchArgs(['--rounds=3', '--no-cold', '--no-build'])).toMatchObject({ rounds: 3, coldStart: false, build: false });
  });

  it('reads tfjs flags for the app\'s setup', () => {
    expect(parseBenchArgs([]).flags).toEqual({});
    expect(parseBenchArgs(['--flags=WEBGL_EXP_CONV=true,WEBGL_FLUSH_THRESHOLD=1', '--flags', 'WEBGL_PACK=false']).flags)
      .toEqual({ WEBGL_EXP_CONV: true, WEBGL_FLUSH_THRESHOLD: 1, WEBGL_PACK: false });
    for (const bad of ['--flags=', '--flags=webgl_pack=true', '--flags=WEBGL_PACK', '--flags=WEBGL_PACK=yes']) {
      expect(() => parseBenchArgs([bad]), bad).toThrow(OptionsError);
    }
  });

  it('rejects what it cannot run', () => {
    for (const argv of [['--backends=webgl', '--node'], ['--backends=metal'], ['--images=0'], ['--batch=1.5'],
      ['--images=abc'], ['--warmup'], ['--frobnicate'], ['train=512'], ['--backends=']]) {
      expect(() => parseBenchArgs(argv), argv.join(' ')).toThrow(OptionsError);
    }
  });

  it('measures the views figure on wasm by default, and only where wasm is benched', () => {
    expect(parseBenchArgs([])).toMatchObject({
      viewsBackends: ['wasm'], viewsOnly: false, viewsRuns: VIEWS_DEFAULTS.runs, viewsKinds: VIEW_QUERY_KINDS, viewsDrawing: false,
    });
    expect(parseBenchArgs(['--views-drawing']).viewsDrawing).toBe(true);
    expect(parseBenchArgs(['--backends=wasm,cpu']).viewsBackends).toEqual(['wasm']);
    expect(parseBenchArgs(['--backends=webgl']).viewsBackends).toEqual([]);
    expect(parseBenchArgs(['--no-views']).viewsBackends).toEqual([]);
    expect(parseBenchArgs(['--node']).viewsBackends).toEqual([]);
    expect(parseBenchArgs(['--backends=webgl', '--views-backends=wasm,cpu']).viewsBackends).toEqual(['wasm', 'cpu']);
  });

  it('--views-only measures the views figure on --views-backends, else --backends, else wasm', () => {
    expect(parseBenchArgs(['--views-only'])).toMatchObject({ viewsOnly: true, viewsBackends: ['wasm'], backends: ['webgpu', 'webgl', 'wasm', 'cpu'] });
    expect(parseBenchArgs(['--views-only', '--backends=cpu']).viewsBackends).toEqual(['cpu']);
    expect(parseBenchArgs(['--views-only', '--backends=cpu', '--views-backends=wasm']).viewsBackends).toEqual(['wasm']);
    expect(parseBenchArgs(['--views-only', '--views-runs=10', '--views-kinds=cell,predict'])).toMatchObject({ viewsRuns: 10, viewsKinds: ['predict', 'cell'] });
    // Nothing of --images and co. is trained there: no warnings about them.
    expect(optionWarnings(parseBenchArgs(['--views-only', '--images=100']))).toEqual([]);
  });

  it('rejects views options it cannot honour', () => {
    for (const argv of [['--node', '--views-only'], ['--node', '--views-backends=wasm'], ['--no-views', '--views-only'],
      ['--views-backends='], ['--views-backends=metal'], ['--views-runs=1'], ['--views-kinds=train'], ['--views-kinds=']]) {
      expect(() => parseBenchArgs(argv), argv.join(' ')).toThrow(OptionsError);
    }
  });

  it('warns that the views figure is slow off wasm', () => {
    expect(optionWarnings(parseBenchArgs(['--views-backends=cpu'])).join('\n')).toMatch(/views figure .* on cpu/);
  });

  it('warns about a ragged last batch and tiny runs', () => {
    const warnings = optionWarnings(parseBenchArgs(['--images=1000', '--batch=256']));
    expect(warnings.join('\n')).toMatch(/not a multiple/);
    expect(warnings.join('\n')).toMatch(/small/);
  });
});

describe('--batches', () => {
  it('keeps --batch as one run, as given', () => {
    const options = parseBenchArgs(['--batch=128', '--images=1000']);
    expect(options.batches).toEqual([128]);
    expect(batchRuns(options)).toEqual([options]);
  });

  it('runs each batch size in turn, images and warm-up rounded to a multiple of it', () => {
    const options = parseBenchArgs(['--backends=wasm', '--batches=64, 256,1024,64', '--images=5000', '--warmup=512']);
    expect(options.batches).toEqual([64, 256, 1024]);
    expect(options.batch).toBe(64);
    const runs = batchRuns(options);
    expect(runs.map((r) => [r.batch, r.images, r.warmup, r.build])).toEqual([
      [64, 4992, 512, true], [256, 5120, 512, false], [1024, 5120, 1024, false],
    ]);
    expect(runs.map((r) => r.viewsBackends)).toEqual([[], [], ['wasm']]);
    expect(runs.flatMap(optionWarnings)).toEqual([]);
    expect(batchRuns({ ...options, warmup: 0 }).map((r) => r.warmup)).toEqual([0, 0, 0]);
  });

  it('rounds to at least one batch', () => {
    expect(roundToBatch(100, 256)).toBe(256);
    expect(roundToBatch(4096, 1024)).toBe(4096);
  });

  it('refuses --batch with --batches, and bad sizes', () => {
    for (const bad of [['--batch=64', '--batches=64,128'], ['--batches='], ['--batches=64,0'], ['--batches=64,x'], ['--batches=4096']]) {
      expect(() => parseBenchArgs(bad), bad.join(' ')).toThrow(OptionsError);
    }
  });

  it('reads --no-pytorch', () => {
    expect(parseBenchArgs([]).pytorch).toBe(true);
    expect(parseBenchArgs(['--no-pytorch']).pytorch).toBe(false);
  });
});
