import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config/params';
import type { WorkerEvent } from '../worker/protocol';
import { initialRunState, isRunning, runReducer, type RunAction, type RunState } from './runState';

const progress = (epoch: number, step: number): WorkerEvent => ({
  type: 'progress', epoch, step, stepsPerEpoch: 2, epochFraction: epoch - 1 + step / 2,
  trainLoss: 2 / (epoch + step), trainAccuracy: 0.1 * (epoch + step), imagesPerSecond: 100, elapsedSeconds: epoch + step,
});
const epochRow = (epoch: number): WorkerEvent => ({
  type: 'epoch', epoch, epochs: 2, trainLoss: 1 / epoch, trainAccuracy: 0.4 * epoch, testAccuracy: 0.35 * epoch,
  seconds: 1, imagesPerSecond: 100, elapsedSeconds: 2 * epoch, confusion: [],
});
const play = (state: RunState, ...events: WorkerEvent[]) => runReducer(state, { type: 'events', events });

describe('runReducer', () => {
  it('loads data ahead of any run, then is ready', () => {
    let state = play(initialRunState, { type: 'data-progress', file: 'a.gz', loadedBytes: 5, totalBytes: 10 });
    expect(state.phase).toBe('loading');
    expect(state.dataProgress).toEqual({ file: 'a.gz', loadedBytes: 5, totalBytes: 10 });
    state = play(state, { type: 'data-ready', dataset: 'fashion', trainImages: 60000, testImages: 10000, cached: false, seconds: 1 });
    expect(state).toMatchObject({ phase: 'ready', dataProgress: null });
  });

  it('turns a run into chart points, rows and a final phase', () => {
    let state = runReducer({ ...initialRunState, phase: 'ready' }, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 2, dataset: 'fashion' }, startedAt: 0 });
    expect(isRunning(state.phase)).toBe(true);
    state = play(state,
      { type: 'data-ready', dataset: 'fashion', trainImages: 60000, testImages: 10000, cached: true, seconds: 0 },
      { type: 'backend', backend: 'webgl', requested: 'auto', note: 'WebGPU unavailable: no adapter', details: 'WebGL 2, SwiftShader' },
      progress(1, 1), progress(1, 2), epochRow(1), progress(2, 1), progress(2, 2), epochRow(2),
      { type: 'done', epochs: 2, trainLoss: 0.5, trainAccuracy: 0.8, testAccuracy: 0.7, elapsedSeconds: 4, imagesPerSecond: 100 },
    );
    expect(state.phase).toBe('done');
    expect(state.backend?.name).toBe('webgl');
    expect(state.backend?.note).toContain('no adapter');
    expect(state.backend?.details).toBe('WebGL 2, SwiftShader');
    expect(state.epochRows.map((r) => r.epoch)).toEqual([1, 2]);
    // Test accuracy joins the train point at the same x.
    expect(state.points).toEqual([
      { epoch: 0.5, trainLoss: 1, trainAccuracy: 0.2 },
      { epoch: 1, trainLoss: 2 / 3, trainAccuracy: 0.30000000000000004, testAccuracy: 0.35 },
      { epoch: 1.5, trainLoss: 2 / 3, trainAccuracy: 0.30000000000000004 },
      { epoch: 2, trainLoss: 0.5, trainAccuracy: 0.4, testAccuracy: 0.7 },
    ]);
    expect(isRunning(state.phase)).toBe(false);
  });

  it('keeps what was learned when a run diverges, with the message as the alert', () => {
    let state = runReducer(initialRunState, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 3, dataset: 'fashion' }, startedAt: 0 });
    state = play(state, progress(1, 1), { type: 'diverged', epoch: 1, step: 2, message: 'Try a smaller learning rate' });
    expect(state).toMatchObject({ phase: 'diverged', error: 'Try a smaller learning rate' });
    expect(state.points).toHaveLength(1);
  });

  it('pauses and resumes only a running run; Train clears the last run, Reset clears everything', () => {
    let state = runReducer(initialRunState, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 2, dataset: 'fashion' }, startedAt: 0 });
    state = play(state, progress(1, 1));
    state = runReducer(state, { type: 'paused' });
    expect(state.phase).toBe('paused');
    // A progress point already on its way does not un-pause the display.
    expect(play(state, progress(1, 2)).phase).toBe('paused');
    state = runReducer(state, { type: 'resumed' });
    expect(state.phase).toBe('training');
    state = play(state, epochRow(1), { type: 'stopped', epoch: 2, step: 0, elapsedSeconds: 3 });
    expect(runReducer(state, { type: 'paused' }).phase).toBe('stopped');
    expect(state.epochRows).toHaveLength(1);
    const again = runReducer(state, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 2, dataset: 'fashion' }, startedAt: 0 });
    expect(again).toMatchObject({ epochRows: [], points: [], phase: 'loading' });
    expect(runReducer(state, { type: 'reset' })).toMatchObject({ phase: 'ready', epochRows: [], points: [] });
  });

  it('shows a crash as an error until dismissed', () => {
    let state = runReducer(initialRunState, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 2, dataset: 'fashion' }, startedAt: 0 });
    state = runReducer(state, { type: 'crashed', message: 'The training worker crashed' });
    expect(state).toMatchObject({ phase: 'error', error: 'The training worker crashed' });
    expect(runReducer(state, { type: 'dismiss-error' }).error).toBeNull();
  });

  it('ignores a Pause pressed after Stop, so the status never says Paused for a run that is stopping', () => {
    let state = runReducer(initialRunState, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 2, dataset: 'fashion' }, startedAt: 0 });
    state = play(state, progress(1, 1));
    state = runReducer(state, { type: 'stop' });
    expect(state).toMatchObject({ phase: 'training', stopping: true });
    state = runReducer(state, { type: 'paused' });
    expect(state.phase).toBe('training');
    state = play(state, { type: 'stopped', epoch: 1, step: 1, elapsedSeconds: 1 });
    expect(state).toMatchObject({ phase: 'stopped', stopping: false });
    // Stop when nothing runs changes nothing.
    expect(runReducer(state, { type: 'stop' })).toBe(state);
    // A new run may be paused again.
    expect(runReducer(runReducer(state, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'fashion' }, startedAt: 0 }), { type: 'paused' }).phase).toBe('paused');
  });

  it('keeps what a crashed run learned, and leaves Train usable', () => {
    let state = runReducer(initialRunState, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 2, dataset: 'fashion' }, startedAt: 0 });
    state = play(state, progress(1, 1), progress(1, 2), epochRow(1));
    state = runReducer(state, { type: 'crashed', message: 'The training worker stopped unexpectedly.' });
    expect(state).toMatchObject({ phase: 'error', error: 'The training worker stopped unexpectedly.' });
    expect(isRunning(state.phase)).toBe(false);
    expect(state.points).toHaveLength(2);
    expect(state.epochRows).toHaveLength(1);
    // The fresh worker's dataset arrives; the alert stays until dismissed or the next Train.
    state = play(state, { type: 'data-ready', dataset: 'fashion', trainImages: 60000, testImages: 10000, cached: false, seconds: 1 });
    expect(state).toMatchObject({ phase: 'error', error: 'The training worker stopped unexpectedly.' });
    expect(runReducer(state, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'fashion' }, startedAt: 0 })).toMatchObject({ phase: 'loading', error: null, points: [] });
  });

  it('shows the worker memory measured after a run until the next run starts; Reset keeps it', () => {
    const memory = { numTensors: 0, numBytes: 0, backend: 'wasm', keptModels: 1, keptTensors: 10, keptBytes: 246_824 };
    let state = runReducer(initialRunState, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'fashion' }, startedAt: 0 });
    expect(state.memory).toBeNull();
    state = play(state, { type: 'done', epochs: 1, trainLoss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, elapsedSeconds: 1, imagesPerSecond: 1 });
    state = runReducer(state, { type: 'memory', memory });
    expect(state.memory).toEqual(memory);
    expect(runReducer(state, { type: 'reset' }).memory).toEqual(memory);
    expect(runReducer(state, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'fashion' }, startedAt: 0 }).memory).toBeNull();
  });

  it('keeps a finished run\'s rows and curves through anything but Train and Reset', () => {
    let state = runReducer(initialRunState, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'fashion' }, startedAt: 0 });
    state = play(state, progress(1, 1), progress(1, 2), epochRow(1),
      { type: 'done', epochs: 1, trainLoss: 1, trainAccuracy: 0.5, testAccuracy: 0.5, elapsedSeconds: 1, imagesPerSecond: 1 });
    const kept = { epochRows: state.epochRows, points: state.points, phase: 'done' };
    for (const action of [
      { type: 'paused' }, { type: 'resumed' }, { type: 'stop' }, { type: 'dismiss-error' },
      { type: 'memory', memory: { numTensors: 1, numBytes: 4, backend: 'cpu', keptModels: 0, keptTensors: 0, keptBytes: 0 } },
      { type: 'events', events: [{ type: 'data-ready', dataset: 'fashion', trainImages: 1, testImages: 1, cached: true, seconds: 0 }] },
    ] satisfies RunAction[]) {
      state = runReducer(state, action);
      expect(state, action.type).toMatchObject(kept);
    }
  });
});

describe('the run the views ask about', () => {
  it('is the latest Train\'s, none after Reset, and the dataset stays loaded through both', () => {
    let state = runReducer(initialRunState, { type: 'events', events: [{ type: 'data-ready', dataset: 'fashion', trainImages: 1, testImages: 1, cached: false, seconds: 0 }] });
    expect(state).toMatchObject({ loaded: ['fashion'], runId: null });
    state = runReducer(state, { type: 'start', runId: 7, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'fashion' }, startedAt: 0 });
    expect(state).toMatchObject({ loaded: ['fashion'], runId: 7 });
    state = runReducer(state, { type: 'reset' });
    expect(state).toMatchObject({ loaded: ['fashion'], runId: null });
    // A crashed worker takes its dataset with it; the new one loads it again.
    state = runReducer(runReducer(state, { type: 'start', runId: 8, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'fashion' }, startedAt: 0 }), { type: 'crashed', message: 'gone' });
    expect(state).toMatchObject({ loaded: [], runId: 8 });
  });
});

describe('datasets and the learner\'s own files', () => {
  const ready = (dataset: 'fashion' | 'mnist'): RunAction =>
    ({ type: 'events', events: [{ type: 'data-ready', dataset, trainImages: 1, testImages: 1, cached: false, seconds: 0 }] });

  it('keeps every dataset the worker holds, once each, and what the run trains on', () => {
    let state = runReducer(initialRunState, ready('fashion'));
    state = runReducer(runReducer(state, ready('mnist')), ready('fashion'));
    expect(state.loaded).toEqual(['fashion', 'mnist']);
    state = runReducer(state, { type: 'start', runId: 1, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'mnist' }, startedAt: 0 });
    expect(state).toMatchObject({ runDataset: 'mnist', loaded: ['fashion', 'mnist'] });
  });

  it('says what the worker made of the files; new files replace the old; a crash forgets them', () => {
    const names = ['a.gz', 'b.gz', 'c.gz', 'd.gz'];
    let state = runReducer(initialRunState, { type: 'own-files-checking', names });
    expect(state.ownFiles).toEqual({ status: 'checking', names });
    state = runReducer(state, { type: 'own-files-checked', names, reply: { type: 'own-files', trainImages: 50, testImages: 10 } });
    expect(state).toMatchObject({ ownFiles: { status: 'ready', trainImages: 50, testImages: 10 }, loaded: ['own'] });
    state = runReducer(state, { type: 'own-files-checking', names });
    expect(state.loaded).toEqual([]);
    state = runReducer(state, { type: 'own-files-checked', names, reply: { type: 'unavailable', message: 'a.gz: wrong magic number' } });
    expect(state.ownFiles).toEqual({ status: 'invalid', names, message: 'a.gz: wrong magic number' });
    state = runReducer(state, { type: 'own-files-checked', names, reply: { type: 'own-files', trainImages: 5, testImages: 1 } });
    state = runReducer(runReducer(state, { type: 'reset' }), { type: 'start', runId: 2, config: { ...DEFAULT_CONFIG, epochs: 1, dataset: 'own' }, startedAt: 0 });
    expect(state.ownFiles.status).toBe('ready');
    state = runReducer(state, { type: 'crashed', message: 'gone' });
    expect(state).toMatchObject({ ownFiles: { status: 'none' }, loaded: [] });
  });
});
