/**
 * The benchmark's "views open against closed" figure: the load the app's
 * inspection views ("See what the network learned") put on the training
 * worker while a run trains, and the runs that time it. The issue's rule:
 * the views must not slow training by more than 3%.
 *
 * Open views send, each query kind coalesced (at most one of a kind in
 * flight; a newer request for the same thing replaces the one still waiting):
 * - at the start, sample thumbnails: 10 per class of the training images and
 *   1 per class of the test images;
 * - on 'progress' events, at most every LIVE_INTERVAL_MS as the app's views
 *   do, the activations of two test images (the one shown and the one
 *   compared with it) and the probabilities of a drawing;
 * - with `drawing`, also a learner drawing all through the run: the
 *   probabilities every DRAW_INTERVAL_MS, the most the Draw view asks;
 * - on every 'epoch' event, the most confident mistakes (48) and one
 *   confusion cell's images (60).
 *
 * No tfjs and no DOM here: the trainer is whatever answers TrainerApi's
 * prepare, train and query (the real worker through Comlink on bench.html,
 * a fake in the tests).
 */
import { DRAW_INTERVAL_MS, LIVE_INTERVAL_MS } from '../app/inspect/cadence';
import { coalesce, type Coalescer as Throttle } from '../app/inspect/coalesce';
import type { BackendName, Config } from '../core/config/params';
import type { DatasetName } from '../core/data/datasets';
import { IMAGE_PIXELS } from '../core/model/architecture';
import { median } from './stats';
import type { EndEvent } from '../core/train/events';
import type { ActiveBackend, Query, QueryReply, WorkerEvent } from '../worker/protocol';
import type {
  ModeFigures, QueryFigures, ViewQuery, QueryFiguresByKind, QueryKind, ViewsMode, ViewsReply, ViewsRequest, ViewsRun,
} from './protocol';

export const QUERY_KINDS: readonly QueryKind[] = ['samples', 'predict', 'activations', 'mistakes', 'cell'];

export { DRAW_INTERVAL_MS };
/** The test images whose activations the views show and compare. */
export const FIRST_IMAGE = 0;
export const COMPARED_IMAGE = 1;

/** closed, open, open, closed, closed, open, …: each mode as often first as second, so a drift hits both alike. */
export function alternatingOrder(runs: number): ViewsMode[] {
  return Array.from({ length: runs }, (_, i): ViewsMode => ((i + (i >> 1)) % 2 === 0 ? 'closed' : 'open'));
}

/** One kind's tally: the counts of QueryFigures plus every round trip, so runs can be summed before the median is taken. */
export interface KindTally extends Omit<QueryFigures, 'medianMs' | 'maxMs'> {
  latenciesMs: number[];
}

export function emptyTally(): KindTally {
  return { requested: 0, sent: 0, replaced: 0, answered: 0, unavailable: 0, failed: 0, latenciesMs: [] };
}

export function sumTallies(tallies: readonly KindTally[]): KindTally {
  const sum = emptyTally();
  for (const t of tallies) {
    sum.requested += t.requested;
    sum.sent += t.sent;
    sum.replaced += t.replaced;
    sum.answered += t.answered;
    sum.unavailable += t.unavailable;
    sum.failed += t.failed;
    sum.latenciesMs.push(...t.latenciesMs);
    sum.lastUnavailable = t.lastUnavailable ?? sum.lastUnavailable;
  }
  return sum;
}

export function figuresOf(tally: KindTally): QueryFigures {
  const { latenciesMs, lastUnavailable, ...counts } = tally;
  return {
    ...counts,
    medianMs: median(latenciesMs),
    maxMs: latenciesMs.length ? Math.max(...latenciesMs) : null,
    ...(lastUnavailable === undefined ? {} : { lastUnavailable }),
  };
}

/**
 * At most one request in flight; what arrives meanwhile waits, one per slot,
 * and a newer request for a slot replaces the one waiting there (it keeps
 * its place in the queue). Waiting requests go out oldest slot first, each
 * as soon as the previous answer is in.
 */
export class Coalescer<Q, R> {
  readonly tally: KindTally = emptyTally();
  private inFlight = false;
  private readonly waiting = new Map<string, Q>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly send: (query: Q) => Promise<R>,
    /** Called with every answer; returns the reason when it says 'unavailable'. */
    private readonly unavailableReason: (reply: R) => string | null = () => null,
    private readonly now: () => number = () => performance.now(),
  ) {}

  request(slot: string, query: Q): void {
    this.tally.requested++;
    if (this.waiting.has(slot)) this.tally.replaced++;
    this.waiting.set(slot, query);
    this.pump();
  }

  get busy(): boolean {
    return this.inFlight || this.waiting.size > 0;
  }

  /** Resolves once nothing is in flight or waiting. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.inFlight) return;
    const next = this.waiting.entries().next();
    if (next.done) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    const [slot, query] = next.value;
    this.waiting.delete(slot);
    this.inFlight = true;
    this.tally.sent++;
    const sentAt = this.now();
    let reply: Promise<R>;
    try {
      reply = this.send(query);
    } catch (error) {
      reply = Promise.reject(error);
    }
    reply.then(
      (answer) => {
        this.tally.latenciesMs.push(this.now() - sentAt);
        const why = this.unavailableReason(answer);
        if (why === null) {
          this.tally.answered++;
        } else {
          this.tally.unavailable++;
          this.tally.lastUnavailable = why;
        }
      },
      () => {
        this.tally.failed++;
      },
    ).finally(() => {
      this.inFlight = false;
      this.pump();
    });
  }
}

/** A drawing with some ink: a ring, plus a stroke that grows with each `tick` as the user draws. */
export function drawingPixels(tick: number): Float32Array {
  const pixels = new Float32Array(IMAGE_PIXELS);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const r = Math.hypot(x - 13.5, y - 13.5);
      if (r > 7 && r < 10) pixels[y * 28 + x] = 1;
    }
  }
  const length = tick % 20;
  for (let y = 4; y < 4 + length; y++) pixels[y * 28 + 13] = pixels[y * 28 + 14] = 1;
  return pixels;
}

/** The confusion cell a learner would open: the largest off-diagonal count (true, predicted). */
export function biggestMistakeCell(confusion: readonly number[], classes = 10): { trueClass: number; predictedClass: number } {
  let best = { trueClass: 0, predictedClass: 6, count: -1 };
  for (let t = 0; t < classes; t++) {
    for (let p = 0; p < classes; p++) {
      const count = confusion[t * classes + p] ?? 0;
      if (t !== p && count > best.count) best = { trueClass: t, predictedClass: p, count };
    }
  }
  return { trueClass: best.trueClass, predictedClass: best.predictedClass };
}

export type QueryFn = (query: Query) => Promise<QueryReply>;

export interface ViewsLoadOptions {
  runId: number;
  /** Whose sample grids the views show. */
  dataset: DatasetName;
  query: QueryFn;
  now?: () => number;
  drawIntervalMs?: number;
  /** The live views' minimum interval (the app's by default). */
  liveIntervalMs?: number;
  /** A learner drawing all through the run (see the top of this file). */
  drawing?: boolean;
  /** Send only these kinds (default all): what one kind costs. */
  kinds?: readonly QueryKind[];
}

/** What the open views send during one run (see the top of this file). */
export class ViewsLoad {
  private readonly kinds: Record<QueryKind, Coalescer<Query, QueryReply>>;
  private readonly enabled: ReadonlySet<QueryKind>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticks = 0;
  /** The app's own throttle for the live feature maps, in front of the tallying coalescer. */
  private readonly liveMaps: Throttle<number>;

  constructor(private readonly options: ViewsLoadOptions) {
    const reason = (reply: QueryReply) => (reply.type === 'unavailable' ? reply.message : null);
    const make = () => new Coalescer<Query, QueryReply>(options.query, reason, options.now);
    this.kinds = { samples: make(), predict: make(), activations: make(), mistakes: make(), cell: make() };
    this.enabled = new Set(options.kinds ?? QUERY_KINDS);
    this.liveMaps = coalesce((runId: number) => {
      this.request({ type: 'activations', runId, image: { kind: 'test', index: FIRST_IMAGE } }, 'first');
      this.request({ type: 'activations', runId, image: { kind: 'test', index: COMPARED_IMAGE } }, 'compared');
      this.draw();
      return Promise.all([this.kinds.activations.idle(), this.kinds.predict.idle()]);
    }, () => undefined, { minIntervalMs: options.liveIntervalMs ?? LIVE_INTERVAL_MS, now: options.now });
  }

  private request(query: ViewQuery, slot: string): void {
    if (this.enabled.has(query.type)) this.kinds[query.type].request(slot, query);
  }

  /** Call as the run starts: the sample grids, and the drawing's timer. */
  start(): void {
    const { dataset } = this.options;
    this.request({ type: 'samples', dataset, split: 'train', perClass: 10 }, 'train');
    this.request({ type: 'samples', dataset, split: 'test', perClass: 1 }, 'test');
    if (this.options.drawing && this.enabled.has('predict')) {
      this.timer = setInterval(() => this.draw(), this.options.drawIntervalMs ?? DRAW_INTERVAL_MS);
    }
  }

  private draw(): void {
    const pixels = drawingPixels(this.ticks++);
    this.request({ type: 'predict', runId: this.options.runId, image: { kind: 'drawing', pixels } }, 'drawing');
  }

  /** Every event of the run, as the page gets it. */
  onEvent(event: WorkerEvent): void {
    const { runId } = this.options;
    if (event.type === 'progress') {
      this.liveMaps.request(runId);
    } else if (event.type === 'epoch') {
      this.request({ type: 'mistakes', runId, trueClass: null, predictedClass: null, limit: 48 }, 'list');
      this.request({ type: 'cell', runId, ...biggestMistakeCell(event.confusion), limit: 60 }, 'cell');
    }
  }

  /** Stops the drawing and waits for every query sent or waiting. */
  async stop(): Promise<void> {
    this.cancel();
    await Promise.all(QUERY_KINDS.map((kind) => this.kinds[kind].idle()));
  }

  /** Stops the drawing's timer without waiting for answers (the worker may be gone). */
  cancel(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.liveMaps.dispose();
  }

  tallies(): Record<QueryKind, KindTally> {
    return Object.fromEntries(QUERY_KINDS.map((kind) => [kind, this.kinds[kind].tally])) as Record<QueryKind, KindTally>;
  }
}

function figuresByKind(tallies: readonly Record<QueryKind, KindTally>[]): QueryFiguresByKind {
  return Object.fromEntries(QUERY_KINDS.map((kind) => [kind, figuresOf(sumTallies(tallies.map((t) => t[kind])))])) as QueryFiguresByKind;
}

/**
 * Median epoch seconds per mode over the timed runs' counted epochs, their
 * ratio, and the ratio pair by pair (timed runs 1–2, 3–4, …, each one open
 * and one closed in alternating order).
 */
export function summarizeRuns(runs: readonly ViewsRun[], skipEpochs: number): Pick<ViewsReply, 'closed' | 'open' | 'openOverClosed' | 'pairRatios' | 'pairedOpenOverClosed'> {
  const counted = (run: ViewsRun) => (run.end === 'done' ? run.epochSeconds.slice(skipEpochs) : []);
  const timed = runs.filter((run) => !run.warmup);
  const mode = (which: ViewsMode): ModeFigures => {
    const ofMode = timed.filter((run) => run.mode === which && run.end === 'done');
    const epochSeconds = ofMode.flatMap(counted);
    return { medianEpochSeconds: median(epochSeconds), epochSeconds, runs: ofMode.length };
  };
  const ratio = (open: number | null, closed: number | null) => (open !== null && closed ? open / closed : null);
  const closed = mode('closed');
  const open = mode('open');
  const pairRatios: number[] = [];
  for (let i = 0; i + 1 < timed.length; i += 2) {
    const pair = [timed[i], timed[i + 1]];
    const of = (which: ViewsMode) => median(pair.filter((run) => run.mode === which).flatMap(counted));
    const r = ratio(of('open'), of('closed'));
    if (r !== null) pairRatios.push(r);
  }
  return {
    closed, open, openOverClosed: ratio(open.medianEpochSeconds, closed.medianEpochSeconds), pairRatios, pairedOpenOverClosed: median(pairRatios),
  };
}

/** What measureViews needs of TrainerApi (a Comlink remote of the worker, or a fake). */
export interface ViewsTrainer {
  prepare(dataRootUrl: string, dataset: DatasetName, backend: BackendName, onEvent: (event: WorkerEvent) => void): Promise<void>;
  train(runId: number, config: Config, onEvent: (event: WorkerEvent) => void): Promise<EndEvent>;
  query(query: Query): Promise<QueryReply>;
  ping?(): Promise<'pong'>;
}

export interface ViewsDeps {
  /** Wraps a callback for the trainer (Comlink.proxy for a worker; identity for a fake). */
  callback: <F extends (event: WorkerEvent) => void>(fn: F) => F;
  log?: (line: string) => void;
  now?: () => number;
}

function isEnd(event: WorkerEvent): event is EndEvent {
  return event.type === 'done' || event.type === 'stopped' || event.type === 'diverged' || event.type === 'error';
}

/**
 * prepare(), then the warm-up runs and the timed runs in `request.order`
 * (run ids 1, 2, 3, …), the views' load on the open ones; then each query
 * kind timed on the idle worker. Rejects only if prepare() or a run fails.
 */
export async function measureViews(trainer: ViewsTrainer, request: ViewsRequest, deps: ViewsDeps): Promise<ViewsReply> {
  const now = deps.now ?? (() => performance.now());
  const log = deps.log ?? (() => undefined);
  const startedAt = now();
  const config: Config = { ...request.config, backend: request.backend };
  const warmupRuns = request.warmupRuns ?? 1;
  const skipEpochs = request.skipEpochs ?? 1;
  const kinds = QUERY_KINDS.filter((kind) => !request.kinds || request.kinds.includes(kind));
  let backend: ActiveBackend | null = null;
  let details: string | null = null;
  let note: string | null = null;
  let dataSeconds: number | null = null;
  let prepareError: string | null = null;

  await trainer.prepare(request.dataUrl, config.dataset, request.backend, deps.callback((event: WorkerEvent) => {
    if (event.type === 'data-ready') dataSeconds = event.seconds;
    if (event.type === 'error') prepareError = event.message;
  }));
  if (prepareError !== null) throw new Error(`prepare: ${prepareError}`);

  const plan: { mode: ViewsMode; warmup: boolean }[] = [
    ...Array.from({ length: warmupRuns }, () => ({ mode: 'closed' as const, warmup: true })),
    ...request.order.map((mode) => ({ mode, warmup: false })),
  ];
  const runs: ViewsRun[] = [];
  const openTallies: Record<QueryKind, KindTally>[] = [];
  for (const [i, { mode, warmup }] of plan.entries()) {
    const runId = i + 1;
    const load = mode === 'open' ? new ViewsLoad({ runId, dataset: config.dataset, query: (q) => trainer.query(q), now, kinds, drawing: request.drawing }) : null;
    const epochSeconds: number[] = [];
    // Events come through their own channel: the run's end is when its end event arrives, not when train() resolves.
    let endSeen: (event: EndEvent) => void = () => undefined;
    const ended = new Promise<EndEvent>((resolve) => {
      endSeen = resolve;
    });
    load?.start();
    let end: EndEvent;
    try {
      [end] = await Promise.all([
        ended,
        trainer.train(runId, config, deps.callback((event: WorkerEvent) => {
          if (event.type === 'backend') {
            backend = event.backend;
            details = event.details;
            note = event.note;
          }
          if (event.type === 'epoch') epochSeconds.push(event.seconds);
          load?.onEvent(event);
          if (isEnd(event)) endSeen(event);
        })),
      ]);
    } catch (error) {
      // The worker is gone: stop drawing, and wait for no answer.
      load?.cancel();
      throw error;
    }
    await load?.stop();
    const run: ViewsRun = { runId, mode, warmup, epochSeconds, end: end.type };
    if (load) {
      const tallies = load.tallies();
      run.queries = figuresByKind([tallies]);
      if (!warmup) openTallies.push(tallies);
    }
    runs.push(run);
    log(`run ${runId} (${warmup ? 'warm-up' : mode}): epochs ${epochSeconds.map((s) => s.toFixed(3)).join(', ')} s`);
    if (end.type !== 'done') throw new Error(`run ${runId} (${mode}) ended with ${end.type}${'message' in end ? `: ${end.message}` : ''}`);
  }

  const idleQueryMs = await timeIdleQueries(trainer, plan.length, config.dataset, now);
  const summary = summarizeRuns(runs, skipEpochs);
  return {
    requested: request.backend, backend, details, note, available: backend !== null, dataSeconds, config, warmupRuns, skipEpochs,
    kinds, runs, ...summary, queries: figuresByKind(openTallies), idleQueryMs, wallSeconds: (now() - startedAt) / 1000,
  };
}

/** How many times each kind is timed on the idle worker. */
const IDLE_REPEATS = 20;

/** Each kind IDLE_REPEATS times in a row on the idle worker, which keeps the last run's model: what one query costs alone. */
async function timeIdleQueries(trainer: ViewsTrainer, runId: number, dataset: DatasetName, now: () => number): Promise<ViewsReply['idleQueryMs']> {
  const queries: Record<QueryKind, Query> = {
    samples: { type: 'samples', dataset, split: 'train', perClass: 10 },
    predict: { type: 'predict', runId, image: { kind: 'drawing', pixels: drawingPixels(10) } },
    activations: { type: 'activations', runId, image: { kind: 'test', index: FIRST_IMAGE } },
    mistakes: { type: 'mistakes', runId, trueClass: null, predictedClass: null, limit: 48 },
    cell: { type: 'cell', runId, trueClass: 6, predictedClass: 0, limit: 60 },
  };
  const time = async (ask: () => Promise<unknown>): Promise<number | null> => {
    const times: number[] = [];
    for (let i = 0; i < IDLE_REPEATS; i++) {
      const start = now();
      await ask();
      times.push(now() - start);
    }
    return median(times);
  };
  const result = { ping: trainer.ping ? await time(() => trainer.ping!()) : null } as ViewsReply['idleQueryMs'];
  for (const kind of QUERY_KINDS) result[kind] = await time(() => trainer.query(queries[kind]));
  return result;
}
