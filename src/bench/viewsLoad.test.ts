import { afterEach, describe, expect, it, vi } from 'vitest';
import { presetConfig } from '../core/config/params';
import type { EndEvent, EpochEvent, ProgressEvent } from '../core/train/events';
import type { Query, QueryReply } from '../worker/protocol';
import type { ViewsRun } from './protocol';
import {
  Coalescer, ViewsLoad, alternatingOrder, biggestMistakeCell, drawingPixels, measureViews, summarizeRuns, type ViewsTrainer,
} from './viewsLoad';
import { median } from './stats';

/** A promise with its resolve and reject outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

const progress = (epoch: number, step: number): ProgressEvent => ({
  type: 'progress', epoch, step, stepsPerEpoch: 4, epochFraction: epoch - 1 + step / 4, trainLoss: 2, trainAccuracy: 0.1,
  imagesPerSecond: 100, elapsedSeconds: 1,
});

const confusion = Array.from({ length: 100 }, (_, i) => (i === 6 * 10 + 2 ? 9 : i % 11 === 0 ? 50 : 1));

const epochEvent = (epoch: number, seconds: number): EpochEvent => ({
  type: 'epoch', epoch, epochs: 2, trainLoss: 2, trainAccuracy: 0.1, testAccuracy: 0.1, confusion, seconds, imagesPerSecond: 100, elapsedSeconds: 1,
});

describe('alternatingOrder and median', () => {
  it('alternates which mode goes first, pair by pair', () => {
    expect(alternatingOrder(6)).toEqual(['closed', 'open', 'open', 'closed', 'closed', 'open']);
    expect(alternatingOrder(3)).toEqual(['closed', 'open', 'open']);
    expect(alternatingOrder(0)).toEqual([]);
  });

  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('Coalescer', () => {
  it('keeps one in flight, lets one wait per slot, and a newer request replaces the waiting one', async () => {
    const calls: { query: string; answer: ReturnType<typeof deferred<string>> }[] = [];
    const coalescer = new Coalescer<string, string>((query) => {
      const answer = deferred<string>();
      calls.push({ query, answer });
      return answer.promise;
    }, (reply) => (reply === 'no' ? 'none yet' : null));

    coalescer.request('a', 'a1');
    coalescer.request('a', 'a2');
    coalescer.request('b', 'b1');
    coalescer.request('a', 'a3');
    expect(calls.map((c) => c.query)).toEqual(['a1']);
    expect(coalescer.busy).toBe(true);
    let idle = false;
    void coalescer.idle().then(() => (idle = true));

    calls[0].answer.resolve('ok');
    await flush();
    // a3 replaced a2 and kept a2's place, before b1.
    expect(calls.map((c) => c.query)).toEqual(['a1', 'a3']);
    calls[1].answer.resolve('no');
    await flush();
    expect(calls.map((c) => c.query)).toEqual(['a1', 'a3', 'b1']);
    expect(idle).toBe(false);
    calls[2].answer.reject(new Error('boom'));
    await flush();
    expect(idle).toBe(true);
    expect(coalescer.busy).toBe(false);
    const { latenciesMs, ...counts } = coalescer.tally;
    expect(counts).toEqual({ requested: 4, sent: 3, replaced: 1, answered: 1, unavailable: 1, failed: 1, lastUnavailable: 'none yet' });
    expect(latenciesMs).toHaveLength(2);
  });

  it('counts a send that throws as failed and goes on', async () => {
    let calls = 0;
    const coalescer = new Coalescer<number, number>((n) => {
      calls++;
      if (n === 1) throw new Error('sync');
      return Promise.resolve(n);
    });
    coalescer.request('x', 1);
    coalescer.request('y', 2);
    await coalescer.idle();
    expect(calls).toBe(2);
    expect(coalescer.tally).toMatchObject({ sent: 2, failed: 1, answered: 1 });
  });
});

describe('drawingPixels and biggestMistakeCell', () => {
  it('draws 784 values in 0…1 with some ink', () => {
    const pixels = drawingPixels(7);
    expect(pixels).toHaveLength(784);
    expect(pixels.every((v) => v === 0 || v === 1)).toBe(true);
    expect(pixels.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
  });

  it('picks the largest off-diagonal count', () => {
    expect(biggestMistakeCell(confusion)).toEqual({ trueClass: 6, predictedClass: 2 });
  });
});

describe('ViewsLoad', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends what the open views send: samples at start, a drawing every 100 ms, activations per progress, lists per epoch', async () => {
    vi.useFakeTimers();
    const sent: Query[] = [];
    const load = new ViewsLoad({
      runId: 3, dataset: 'fashion', drawing: true,
      query: async (query) => {
        sent.push(query);
        return { type: 'unavailable', message: 'fake' };
      },
    });
    load.start();
    await vi.advanceTimersByTimeAsync(350);
    load.onEvent(progress(1, 1));
    await vi.advanceTimersByTimeAsync(0);
    load.onEvent(epochEvent(1, 1));
    await load.stop();
    await vi.advanceTimersByTimeAsync(500);
    const of = (type: Query['type']) => sent.filter((q) => q.type === type);
    expect(of('samples')).toEqual([
      { type: 'samples', dataset: 'fashion', split: 'train', perClass: 10 },
      { type: 'samples', dataset: 'fashion', split: 'test', perClass: 1 },
    ]);
    // Three from the pen (every 100 ms), one with the live feature maps.
    expect(of('predict')).toHaveLength(4);
    expect(of('predict')[0]).toMatchObject({ runId: 3, image: { kind: 'drawing' } });
    expect(of('activations').map((q) => q.type === 'activations' && q.image)).toEqual([{ kind: 'test', index: 0 }, { kind: 'test', index: 1 }]);
    expect(of('mistakes')).toEqual([{ type: 'mistakes', runId: 3, trueClass: null, predictedClass: null, limit: 48 }]);
    expect(of('cell')).toEqual([{ type: 'cell', runId: 3, trueClass: 6, predictedClass: 2, limit: 60 }]);
    const tallies = load.tallies();
    expect(tallies.predict).toMatchObject({ requested: 4, sent: 4, unavailable: 4 });
    expect(tallies.activations).toMatchObject({ requested: 2, sent: 2 });
  });
});

describe('ViewsLoad feature maps', () => {
  it('asks for them on progress at most once per LIVE_INTERVAL_MS, as the app does, then once more for the latest', async () => {
    let time = 0;
    const sent: Query[] = [];
    const load = new ViewsLoad({
      runId: 1, dataset: 'fashion', kinds: ['activations'], liveIntervalMs: 1000, now: () => time,
      query: async (query) => {
        sent.push(query);
        return { type: 'unavailable', message: 'fake' };
      },
    });
    vi.useFakeTimers();
    load.onEvent(progress(1, 1));
    await vi.advanceTimersByTimeAsync(0);
    for (let step = 2; step <= 4; step++) {
      time += 200;
      load.onEvent(progress(1, step));
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(sent).toHaveLength(2);
    time += 600;
    await vi.advanceTimersByTimeAsync(600);
    expect(sent).toHaveLength(4);
    load.cancel();
    vi.useRealTimers();
  });
});

describe('summarizeRuns', () => {
  it('leaves out warm-up runs, skipped epochs and runs that did not finish', () => {
    const run = (mode: 'open' | 'closed', epochSeconds: number[], extra: Partial<ViewsRun> = {}): ViewsRun =>
      ({ runId: 0, mode, warmup: false, epochSeconds, end: 'done', ...extra });
    const summary = summarizeRuns([
      run('closed', [9, 9], { warmup: true }),
      run('closed', [5, 1, 1.5]),
      run('open', [5, 1.25, 1.75]),
      run('open', [5, 9], { end: 'stopped' }),
    ], 1);
    expect(summary.closed).toEqual({ medianEpochSeconds: 1.25, epochSeconds: [1, 1.5], runs: 1 });
    expect(summary.open).toEqual({ medianEpochSeconds: 1.5, epochSeconds: [1.25, 1.75], runs: 1 });
    expect(summary.openOverClosed).toBe(1.2);
    // Timed runs two by two: (closed, open) gives 1.5 / 1.25; (open, stopped open) has no closed run.
    expect(summary.pairRatios).toEqual([1.2]);
    expect(summary.pairedOpenOverClosed).toBe(1.2);
    expect(summarizeRuns([], 1)).toMatchObject({ openOverClosed: null, pairRatios: [], pairedOpenOverClosed: null });
  });

  it('takes the ratio pair by pair, so a slow stretch of the machine hits one pair only', () => {
    const run = (mode: 'open' | 'closed', seconds: number): ViewsRun => ({ runId: 0, mode, warmup: false, epochSeconds: [9, seconds], end: 'done' });
    // The machine is twice as slow during the second pair; open costs 10% everywhere.
    const summary = summarizeRuns([run('closed', 1), run('open', 1.1), run('open', 2.2), run('closed', 2), run('closed', 1), run('open', 1.1)], 1);
    expect(summary.pairRatios.map((r) => r.toFixed(3))).toEqual(['1.100', '1.100', '1.100']);
    expect(summary.pairedOpenOverClosed).toBeCloseTo(1.1);
    expect(summary.openOverClosed).toBeCloseTo(1.1);
  });
});

describe('measureViews', () => {
  it('runs a warm-up and the runs in order with ids 1, 2, …, loads the open ones only, and times the idle queries', async () => {
    const queriesByRun = new Map<number, Query[]>();
    const trains: number[] = [];
    let pings = 0;
    const trainer: ViewsTrainer = {
      async prepare(_url, _dataset, _backend, onEvent) {
        onEvent({ type: 'data-ready', dataset: 'fashion', trainImages: 60_000, testImages: 10_000, cached: false, seconds: 0.5 });
      },
      async train(runId, config, onEvent) {
        trains.push(runId);
        expect(config.backend).toBe('wasm');
        onEvent({ type: 'backend', backend: 'wasm', requested: 'wasm', note: null, details: 'SIMD' });
        for (let epoch = 1; epoch <= config.epochs; epoch++) {
          for (let step = 1; step <= 4; step++) {
            await flush();
            onEvent(progress(epoch, step));
          }
          await flush();
          // Slower while queries come in: 1.1 s against 1 s.
          onEvent(epochEvent(epoch, queriesByRun.has(runId) ? 1.1 : 1));
        }
        const done: EndEvent = { type: 'done', epochs: config.epochs, trainLoss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, elapsedSeconds: 2, imagesPerSecond: 1 };
        // The end event may come after train() resolves (another channel): measureViews must wait for it.
        setTimeout(() => onEvent(done), 5);
        return done;
      },
      async query(query): Promise<QueryReply> {
        const runId = 'runId' in query ? query.runId : 0;
        queriesByRun.set(runId, [...(queriesByRun.get(runId) ?? []), query]);
        return query.type === 'predict' ? { type: 'probabilities', probabilities: new Float32Array(10) } : { type: 'unavailable', message: 'fake' };
      },
      async ping() {
        pings++;
        return 'pong';
      },
    };
    const reply = await measureViews(trainer, {
      backend: 'wasm', config: { ...presetConfig('d2l'), epochs: 3 }, order: alternatingOrder(4), dataUrl: 'http://x/',
    }, { callback: (fn) => fn });

    expect(trains).toEqual([1, 2, 3, 4, 5]);
    expect(reply.runs.map((r) => [r.runId, r.mode, r.warmup])).toEqual([
      [1, 'closed', true], [2, 'closed', false], [3, 'open', false], [4, 'open', false], [5, 'closed', false],
    ]);
    // Open runs: a mistakes and a cell query per epoch; the feature maps' pair once, as this fake run lasts
    // less than the app's LIVE_INTERVAL_MS (the throttle drops what waits when the run ends).
    for (const runId of [3, 4]) {
      const kinds = queriesByRun.get(runId)!.map((q) => q.type);
      expect(kinds.filter((k) => k === 'activations')).toHaveLength(2);
      expect(kinds.filter((k) => k === 'mistakes')).toHaveLength(3);
      expect(kinds.filter((k) => k === 'cell')).toHaveLength(3);
    }
    for (const runId of [1, 2]) expect(queriesByRun.has(runId)).toBe(false);
    expect(reply.queries.activations).toMatchObject({ requested: 4, sent: 4, unavailable: 4 });
    expect(reply.queries.samples).toMatchObject({ requested: 4, sent: 4 });
    expect(reply.runs[2].queries?.mistakes.requested).toBe(3);
    expect(reply.closed).toEqual({ medianEpochSeconds: 1, epochSeconds: [1, 1, 1, 1], runs: 2 });
    expect(reply.open.epochSeconds).toEqual([1.1, 1.1, 1.1, 1.1]);
    expect(reply.openOverClosed).toBeCloseTo(1.1);
    expect(reply).toMatchObject({ requested: 'wasm', backend: 'wasm', details: 'SIMD', available: true, dataSeconds: 0.5, warmupRuns: 1, skipEpochs: 1 });
    // Run 5 (closed) had none; after it, the idle queries ask its model: 20 of each kind, and 20 pings.
    expect(queriesByRun.get(5)).toHaveLength(20 * 4);
    expect(pings).toBe(20);
    expect(Object.keys(reply.idleQueryMs).sort()).toEqual(['activations', 'cell', 'mistakes', 'ping', 'predict', 'samples']);
  });

  it('rejects when the worker dies mid-run, and stops the drawing', async () => {
    vi.useFakeTimers();
    let queries = 0;
    const trainer: ViewsTrainer = {
      async prepare() {},
      async train() {
        throw new Error('the bench worker crashed');
      },
      async query() {
        queries++;
        return { type: 'unavailable', message: '' };
      },
    };
    await expect(measureViews(trainer, { backend: 'wasm', config: presetConfig('d2l'), order: ['open'], dataUrl: '', warmupRuns: 0 }, { callback: (fn) => fn }))
      .rejects.toThrow(/crashed/);
    const before = queries;
    await vi.advanceTimersByTimeAsync(1000);
    expect(queries).toBe(before);
    vi.useRealTimers();
  });

  it('rejects when a run does not finish', async () => {
    const trainer: ViewsTrainer = {
      async prepare() {},
      async train(_runId, _config, onEvent) {
        const end: EndEvent = { type: 'error', message: 'no backend' };
        onEvent(end);
        return end;
      },
      async query() {
        return { type: 'unavailable', message: '' };
      },
    };
    await expect(measureViews(trainer, { backend: 'cpu', config: presetConfig('d2l'), order: ['closed'], dataUrl: '' }, { callback: (fn) => fn }))
      .rejects.toThrow(/run 1 \(closed\) ended with error: no backend/);
  });
});
