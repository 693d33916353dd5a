/** The benchmark's output: one JSON line per backend, a summary table, a results file. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  MeasureResult, MethodFigures, ModeFigures, QueryFiguresByKind, QueryKind, TfjsFlags, ViewsMode, ViewsReply,
} from '../../src/bench/protocol';
import type { ActiveBackend } from '../../src/worker/protocol';
import type { PytorchFigures } from './pytorch';
import { pytorchSkipped } from './pytorch';
import { D2L_MULTIPLY_ADDS, gflops, thousands } from './rates';

/** The line's `flags` field: only when --flags set some, so plain runs keep their old shape. */
export function flagsField(options: { flags: TfjsFlags }): { flags?: TfjsFlags } {
  return Object.keys(options.flags).length ? { flags: options.flags } : {};
}

export interface ColdStart {
  /** From navigation start (browser) or process start (Node) to the first epoch row. */
  seconds: number;
  /**
   * Same origin, to the first progress point: the app's "Epoch progress" bar
   * first above 0 (browser). Null where it could not be timed; then
   * `firstProgressNote` says why.
   */
  firstProgressSeconds: number | null;
  firstProgressNote?: string;
  /** When Train was pressed, same origin (browser only). */
  trainPressedSeconds?: number;
  url?: string;
  command?: string;
}

/** How the `fit` baseline was measured: tfjs as shipped, in a worker (browser) or process (Node) of its own. */
export interface AsShippedRun {
  /** False when tfjs as shipped could not start this backend or the run failed; then `note` or `error` says why. */
  available: boolean;
  /** How the backend was started (or why it could not be). */
  note: string | null;
  error?: string;
  dataSeconds?: number;
  tensorsBefore?: number;
  tensorsAfter?: number;
  peakHeapBytes?: number | null;
  heapSource?: string;
}

export interface BenchLine {
  mode: 'browser' | 'node';
  backend: ActiveBackend;
  /** False when the backend could not start here (the app's way); then `note` says why and no figures follow. */
  available: boolean;
  /** How the app's setup started the backend, or why it could not. */
  note: string | null;
  error?: string;
  images: number;
  batch: number;
  warmup: number;
  rounds: number;
  /** tfjs flags the app's setup ran with (--flags); absent when none. */
  flags?: TfjsFlags;
  steps?: number;
  /** Our training loop, with the app's backend setup (on wasm: our kernels and threads). */
  ours?: MethodFigures;
  /** model.fit on tfjs as shipped (see AsShippedRun): the baseline of the "ours ≥ 2× model.fit" target. */
  fit?: MethodFigures;
  /** model.fit with the app's backend setup, in the same worker as `ours`: what the training loop alone gains. */
  fitOurKernels?: MethodFigures;
  /** WebGPU: our loop on tfjs's kernels (kernels=tfjs, the path before the compiled step), same worker as `ours`. */
  tfjsKernels?: MethodFigures;
  /** ours.imagesPerSecond / tfjsKernels.imagesPerSecond. */
  oursOverTfjsKernels?: number;
  /** WebGPU: how ours trained ("compiled training step, …", or "tfjs kernels: <why>"). */
  stepNote?: string;
  /** ours.imagesPerSecond / fit.imagesPerSecond (tfjs as shipped). */
  oursOverFit?: number;
  /** ours.imagesPerSecond / fitOurKernels.imagesPerSecond (same worker, same kernels). */
  oursOverFitOurKernels?: number;
  /** GFLOP/s of ours (see rates.ts: 6 × the d2l network's multiply-adds per image × images/s). */
  oursGflops?: number;
  /** ours.imagesPerSecond / pytorch.imagesPerSecond: PyTorch's CPU build at wasm's thread count (wasm lines only). */
  oursOverPytorch?: number;
  /** scripts/pytorch-lenet.py with this line's images, batch, warm-up, rounds and wasm's threads, or why not. */
  pytorch?: PytorchFigures;
  /** The run that measured `fit`. */
  asShipped?: AsShippedRun;
  coldStartSeconds?: number | null;
  coldStart?: ColdStart | { error: string };
  /** tfjs tensors before and after the app-setup run (ours and fitOurKernels). */
  tensorsBefore?: number;
  tensorsAfter?: number;
  /** Peak JS heap of the app-setup bench worker over its life (browser) or of the Node process during the measurement. */
  peakHeapBytes?: number | null;
  /** How peakHeapBytes was sampled. */
  heapSource?: string;
  dataSeconds?: number;
  runtime: string;
  tfjs: string;
  /** 1-minute load average of this machine when the backend's measurement started (2 cores here). */
  loadAverage: number;
  startedAt: string;
}

type FigureKeys = 'ours' | 'fit' | 'fitOurKernels' | 'tfjsKernels' | 'oursOverFit' | 'oursOverFitOurKernels' | 'oursOverTfjsKernels' |
  'stepNote' | 'oursGflops' | 'steps' | 'asShipped';

/** What the 'stock' (tfjs as shipped) worker or process gave back. */
export interface StockOutcome extends AsShippedRun {
  result: MeasureResult | null;
}

const ratio = (a: MethodFigures | undefined, b: MethodFigures | undefined): number | undefined =>
  a && b && b.imagesPerSecond > 0 ? a.imagesPerSecond / b.imagesPerSecond : undefined;

/**
 * One backend's line from the app-setup measurement (ours + model.fit with
 * our kernels) and the tfjs-as-shipped one (model.fit only). `stock` null:
 * not measured (the app setup failed first).
 */
export function lineFrom(base: Omit<BenchLine, FigureKeys>, app: MeasureResult | null, stock: StockOutcome | null = null): BenchLine {
  const line: BenchLine = { ...base };
  if (app) {
    line.steps = app.steps;
    line.ours = app.ours;
    line.fitOurKernels = app.fit;
    line.tfjsKernels = app.tfjsKernels;
    line.stepNote = app.stepNote;
    line.tensorsBefore = app.tensorsBefore;
    line.tensorsAfter = app.tensorsAfter;
    line.peakHeapBytes = app.peakHeapBytes;
  }
  if (stock) {
    const { result, ...run } = stock;
    line.asShipped = result
      ? { ...run, tensorsBefore: result.tensorsBefore, tensorsAfter: result.tensorsAfter, peakHeapBytes: run.peakHeapBytes !== undefined ? run.peakHeapBytes : result.peakHeapBytes }
      : run;
    line.fit = result?.fit;
    line.steps ??= result?.steps;
  }
  line.oursOverFit = ratio(line.ours, line.fit);
  line.oursOverFitOurKernels = ratio(line.ours, line.fitOurKernels);
  line.oursOverTfjsKernels = ratio(line.ours, line.tfjsKernels);
  if (line.ours) line.oursGflops = gflops(line.ours.imagesPerSecond);
  return line;
}

/** Adds PyTorch's figures, and ours / PyTorch when both ran. */
export function withPytorch(line: BenchLine, pytorch: PytorchFigures): BenchLine {
  line.pytorch = pytorch;
  line.oursOverPytorch = line.ours && pytorch.imagesPerSecond ? line.ours.imagesPerSecond / pytorch.imagesPerSecond : undefined;
  return line;
}

/** Four significant digits are more than these measurements can back. */
export function rounded<T>(value: T): T {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Number.isInteger(value)) return value;
    return Number(value.toPrecision(4)) as T;
  }
  if (Array.isArray(value)) return value.map(rounded) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) as T;
  }
  return value;
}

/** The headline figures first, the settings and circumstances after. */
const KEY_ORDER: (keyof BenchLine)[] = [
  'mode', 'backend', 'available', 'error', 'stepNote', 'ours', 'fit', 'oursOverFit', 'tfjsKernels', 'oursOverTfjsKernels', 'fitOurKernels',
  'oursOverFitOurKernels',
  'oursGflops', 'oursOverPytorch', 'pytorch', 'coldStartSeconds', 'tensorsAfter', 'tensorsBefore', 'peakHeapBytes', 'note', 'asShipped', 'images', 'batch', 'warmup',
  'rounds', 'steps', 'dataSeconds', 'coldStart', 'heapSource', 'runtime', 'tfjs', 'loadAverage', 'startedAt',
];

export function jsonLine(line: BenchLine): string {
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (line[key] !== undefined) ordered[key] = line[key];
  for (const [key, value] of Object.entries(line)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
  return JSON.stringify(rounded(ordered));
}

const D2L_MULTIPLY_ADDS_TEXT = thousands(D2L_MULTIPLY_ADDS);

const fmt = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

const times = (value: number | undefined): string => (value === undefined ? '–' : `${fmt(value, 2)}×`);

export const TABLE_HEADER = [
  'backend', 'batch', 'ours img/s', 'ms/step', 'CPU ms/step', 'dispatches/step', 'GFLOP/s', 'fit img/s (tfjs as shipped)', 'ours/fit', 'fit img/s (our kernels)', 'ours/that',
  'cold s', 'first-progress s', 'tensors', 'heap MiB',
] as const;

/** One table row; two cells (backend, reason) where the backend did not run. */
export function tableRow(l: BenchLine): string[] {
  if (!l.available || !l.ours) return [l.backend, `unavailable: ${l.error ?? l.note ?? 'unknown reason'}`];
  const cold = l.coldStart && 'seconds' in l.coldStart ? l.coldStart : null;
  return [
    l.backend, String(l.batch),
    fmt(l.ours.imagesPerSecond), fmt(l.ours.msPerStep), fmt(l.ours.cpuMsPerStep, 3), fmt(l.ours.dispatchesPerStep, 0), fmt(l.oursGflops, 2),
    fmt(l.fit?.imagesPerSecond), times(l.oursOverFit),
    fmt(l.fitOurKernels?.imagesPerSecond), times(l.oursOverFitOurKernels),
    fmt(l.coldStartSeconds), fmt(cold?.firstProgressSeconds),
    l.tensorsBefore === undefined ? '–' : `${l.tensorsBefore}→${l.tensorsAfter}`,
    l.peakHeapBytes ? fmt(l.peakHeapBytes / 2 ** 20) : '–',
  ];
}

/** What the table's columns are, and what went missing. */
export function tableNotes(lines: BenchLine[]): string[] {
  const node = lines[0]?.mode === 'node';
  const where = node ? 'process' : 'worker';
  const notes = [
    `fit (tfjs as shipped): model.fit on tfjs's own kernels, started as a tutorial does, in a fresh ${where} ` +
      '(wasm: single-threaded SIMD plus the minimal Conv2DBackpropFilter tfjs lacks); ' +
      'ours/fit is the ratio the "≥ 2× model.fit" target is about.',
    `fit (our kernels): model.fit in the same ${where} as ours, with the app's backend setup (wasm: our training kernels` +
      `${node ? '' : ' and threads'}; cpu: our training kernels); ours/that is what the training loop alone gains. ` +
      'Measured on wasm and cpu only: on a software GPU each run takes minutes.',
    node
      ? 'cold s: from spawning the CLI trainer to its first epoch row; first-progress s: – (the CLI trainer reports no progress).'
      : 'cold s / first-progress s: from navigation in a fresh browser to the first epoch row / the epoch progress bar first above 0.',
    'tensors: before→after the app-setup run; heap MiB: its peak JS heap.',
    'CPU ms/step: time on the training thread inside each step of ours (on a GPU backend: encoding and submitting the step, ' +
      'apart from waiting on the GPU; on a CPU backend: the step). dispatches/step: GPU compute dispatches per step (WebGPU).',
    `GFLOP/s: the arithmetic rate of ours, 6 × ${D2L_MULTIPLY_ADDS_TEXT} multiply-adds per image (the d2l network's forward pass, ` +
      'plus two backward passes; 2 flops per multiply-add) × images/s / 1e9.',
  ];
  for (const l of lines) {
    if (!l.available || !l.ours) continue;
    if (l.asShipped && !l.asShipped.available) notes.push(`${l.backend}: tfjs as shipped did not run: ${l.asShipped.error ?? l.asShipped.note ?? 'unknown reason'}`);
    if (l.coldStart && 'error' in l.coldStart) notes.push(`${l.backend}: cold start failed: ${l.coldStart.error}`);
    if (l.coldStart && 'seconds' in l.coldStart && l.coldStart.firstProgressSeconds === null && l.coldStart.firstProgressNote && !node) {
      notes.push(`${l.backend}: no first-progress time: ${l.coldStart.firstProgressNote}`);
    }
  }
  return notes;
}

/** Columns padded to their widest cell, the first left-aligned; a two-cell row (name, reason) runs across. */
function renderTable(header: readonly string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.filter((r) => r.length > 2).map((r) => r[i].length)));
  const render = (cells: readonly string[]) =>
    cells.length === 2
      ? `${cells[0].padEnd(widths[0])}  ${cells[1]}`
      : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [render(header), ...rows.map(render)];
}

const distinct = (values: number[]): string => [...new Set(values)].join(', ');

export function summaryTable(lines: BenchLine[]): string {
  const first = lines[0];
  const title = first
    ? `LeNet (d2l preset) training speed, ${first.mode === 'node' ? 'Node' : 'headless Chromium'} (${first.runtime}), ` +
      `batch ${distinct(lines.map((l) => l.batch))}, ${distinct(lines.map((l) => l.images))} timed images after ` +
      `${distinct(lines.map((l) => l.warmup))} warm-up, ${first.rounds} round(s)`
    : 'no results';
  const pytorch = pytorchSummary(lines);
  const steps = stepSummary(lines);
  return [
    title, ...renderTable(TABLE_HEADER, lines.map(tableRow)), ...(first ? ['', ...tableNotes(lines).map((n) => `- ${n}`)] : []),
    ...(steps.length ? ['', ...steps] : []), ...(pytorch.length ? ['', ...pytorch] : []),
  ].join('\n');
}

export const STEP_HEADER = [
  'backend', 'batch', 'path', 'img/s', 'CPU ms/step', 'CPU-bound img/s', 'dispatches/step',
] as const;

/**
 * WebGPU lines: the compiled step against our loop on tfjs's kernels, same
 * worker. "CPU-bound img/s" is batch / CPU ms per step: the most any GPU
 * could give with this CPU cost per step.
 */
export function stepSummary(lines: BenchLine[]): string[] {
  const compared = lines.filter((l) => l.available && l.ours && l.tfjsKernels);
  if (!compared.length) return [];
  const row = (l: BenchLine, path: string, f: MethodFigures): string[] => [
    l.backend, String(l.batch), path, fmt(f.imagesPerSecond), fmt(f.cpuMsPerStep, 3),
    f.cpuMsPerStep ? fmt(l.batch / (f.cpuMsPerStep / 1000), 0) : '–', fmt(f.dispatchesPerStep, 0),
  ];
  const ratios = compared.map((l) => {
    const [c, t] = [l.ours!, l.tfjsKernels!];
    const cpu = c.cpuMsPerStep && t.cpuMsPerStep ? `${fmt(t.cpuMsPerStep / c.cpuMsPerStep, 1)}× less CPU per step` : 'CPU time –';
    const fewer = c.dispatchesPerStep && t.dispatchesPerStep ? `${fmt(t.dispatchesPerStep / c.dispatchesPerStep, 1)}× fewer dispatches` : 'dispatches –';
    return `${l.backend} batch ${l.batch}: ${l.stepNote ?? 'ours'}; ${cpu}, ${fewer}, ${times(l.oursOverTfjsKernels)} the images/s`;
  });
  return [
    'WebGPU: the compiled step (ours) against the same loop on tfjs\'s kernels (kernels=tfjs), same worker',
    ...renderTable(STEP_HEADER, compared.flatMap((l) => [row(l, 'compiled step', l.ours!), row(l, 'tfjs kernels', l.tfjsKernels!)])),
    ...ratios,
  ];
}

export const PYTORCH_HEADER = [
  'backend', 'batch', 'threads', 'ours img/s', 'ours GFLOP/s', 'PyTorch img/s', 'PyTorch GFLOP/s', 'ours/PyTorch',
] as const;

/**
 * Ours against PyTorch's CPU build at the same thread count, one row per
 * wasm line; one line instead when PyTorch ran for none of them for the same
 * reason (not installed, --no-pytorch); nothing without such lines.
 */
export function pytorchSummary(lines: BenchLine[]): string[] {
  const compared = lines.filter((l) => l.pytorch);
  if (!compared.length) return [];
  const reasons = new Set(compared.map((l) => (l.pytorch?.available ? null : l.pytorch?.note)));
  if (reasons.size === 1 && !compared[0].pytorch?.available) return [pytorchSkipped(compared[0].pytorch?.note ?? 'unknown reason')];
  const torch = compared.find((l) => l.pytorch?.torch)?.pytorch?.torch;
  const rows = compared.map((l): string[] => {
    const p = l.pytorch as PytorchFigures;
    if (!p.available) return [l.backend, `batch ${l.batch}: PyTorch did not run: ${p.note ?? 'unknown reason'}`];
    return [
      l.backend, String(l.batch), String(p.threads ?? '–'), fmt(l.ours?.imagesPerSecond), fmt(l.oursGflops, 2),
      fmt(p.imagesPerSecond), fmt(p.gflops, 2), times(l.oursOverPytorch),
    ];
  });
  return [
    `Ours against PyTorch's CPU build${torch ? ` (torch ${torch})` : ''}, scripts/pytorch-lenet.py: the same network, data, batch, ` +
      'images, warm-up and rounds, with as many threads as wasm used',
    ...renderTable(PYTORCH_HEADER, rows),
  ];
}

/**
 * "Views open against closed" on one backend (src/bench/viewsLoad.ts): epoch
 * times of the app's worker with the inspection views' queries and without.
 */
export interface ViewsLine {
  figure: 'views';
  mode: 'browser';
  /** The backend asked for; `ranOn` says if the worker trained on another. */
  backend: ActiveBackend;
  available: boolean;
  error?: string;
  /** Median epoch seconds with the views closed and open, and open / closed (the target: ≤ 1.03). */
  closedEpochSeconds?: number | null;
  openEpochSeconds?: number | null;
  openOverClosed?: number | null;
  /** Median over the alternating pairs of runs of open / closed (see ViewsReply.pairRatios), and each pair's. */
  pairedOpenOverClosed?: number | null;
  pairRatios?: number[];
  ranOn?: ActiveBackend | null;
  details?: string | null;
  note?: string | null;
  /** Every counted epoch's seconds per mode. */
  closed?: ModeFigures;
  open?: ModeFigures;
  /** The query kinds the open runs sent, when not all (--views-kinds). */
  kinds?: QueryKind[];
  /** Query traffic of the open runs, per kind. */
  queries?: QueryFiguresByKind;
  /** Each query kind's round trip alone on the idle worker (median ms). */
  idleQueryMs?: ViewsReply['idleQueryMs'];
  /** Every run in order, the warm-up first. */
  runs?: { runId: number; mode: ViewsMode; warmup: boolean; epochSeconds: number[] }[];
  config?: { preset: string; train: number; test: number; epochs: number; batch: number };
  /** 1-minute load average when the figure was done (`loadAverage`: at its start) and this machine's cores: a busy machine blurs the figure. */
  loadAverageAfter?: number;
  cores?: number;
  warmupRuns?: number;
  skipEpochs?: number;
  dataSeconds?: number | null;
  wallSeconds?: number;
  runtime: string;
  tfjs: string;
  loadAverage: number;
  startedAt: string;
}

const QUERY_ORDER: readonly QueryKind[] = ['predict', 'activations', 'mistakes', 'cell', 'samples'];

export type ViewsBase = Pick<ViewsLine, 'backend' | 'runtime' | 'tfjs' | 'loadAverage' | 'startedAt' | 'loadAverageAfter' | 'cores'>;

export function viewsLineFrom(base: ViewsBase, reply: ViewsReply): ViewsLine {
  const { preset, train, test, epochs, batch } = reply.config;
  return {
    figure: 'views', mode: 'browser', ...base, available: reply.available,
    closedEpochSeconds: reply.closed.medianEpochSeconds, openEpochSeconds: reply.open.medianEpochSeconds, openOverClosed: reply.openOverClosed,
    pairedOpenOverClosed: reply.pairedOpenOverClosed, pairRatios: reply.pairRatios,
    ...(reply.backend !== base.backend ? { ranOn: reply.backend } : {}),
    details: reply.details, note: reply.note,
    ...(reply.kinds.length < QUERY_ORDER.length ? { kinds: QUERY_ORDER.filter((kind) => reply.kinds.includes(kind)) } : {}),
    closed: reply.closed, open: reply.open, queries: reply.queries, idleQueryMs: reply.idleQueryMs,
    runs: reply.runs.map(({ runId, mode, warmup, epochSeconds }) => ({ runId, mode, warmup, epochSeconds })),
    config: { preset, train, test, epochs, batch }, warmupRuns: reply.warmupRuns, skipEpochs: reply.skipEpochs,
    dataSeconds: reply.dataSeconds, wallSeconds: reply.wallSeconds,
  };
}

const VIEWS_KEY_ORDER: (keyof ViewsLine)[] = [
  'figure', 'mode', 'backend', 'available', 'error', 'closedEpochSeconds', 'openEpochSeconds', 'openOverClosed', 'pairedOpenOverClosed',
  'ranOn', 'kinds',
];

export function viewsJsonLine(line: ViewsLine): string {
  const ordered: Record<string, unknown> = {};
  for (const key of VIEWS_KEY_ORDER) if (line[key] !== undefined) ordered[key] = line[key];
  for (const [key, value] of Object.entries(line)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
  return JSON.stringify(rounded(ordered));
}

/**
 * The worker time the open runs' answers would take per epoch at the idle
 * costs (answered and unavailable, each kind at its idle median): what the
 * views cost apart from the machine's noise. Null without the figures.
 */
export function idleCostPerEpochMs(line: ViewsLine): number | null {
  const { queries, idleQueryMs, open, config } = line;
  if (!queries || !idleQueryMs || !open?.runs || !config?.epochs) return null;
  let total = 0;
  for (const kind of QUERY_ORDER) total += (queries[kind].answered + queries[kind].unavailable) * (idleQueryMs[kind] ?? 0);
  return total / (open.runs * config.epochs);
}

/**
 * The views figure for the summary: a headline, e.g.
 * "views open/closed: epoch 1.84 s vs 1.82 s = 1.011× (+1.1%) (wasm; 6 runs, …)",
 * then details as "- " notes like the table's.
 */
export function viewsSummary(line: ViewsLine): string[] {
  if (!line.available || !line.closed || !line.open) {
    return [`views open/closed (${line.backend}): not measured: ${line.error ?? line.note ?? 'unknown reason'}`];
  }
  const seconds = (value: number | null | undefined) => `${fmt(value, 2)} s`;
  const factor = (value: number | null | undefined) =>
    value === null || value === undefined ? '–' : `${fmt(value, 3)}× (${value >= 1 ? '+' : ''}${fmt(100 * (value - 1), 1)}%)`;
  const backend = line.ranOn && line.ranOn !== line.backend ? `${line.ranOn}, asked for ${line.backend}` : line.backend;
  const queries = line.queries;
  const shown = line.kinds ?? QUERY_ORDER;
  const answered = queries
    ? shown.map((kind) => {
      const q = queries[kind];
      return `${kind} ${q.answered}${q.unavailable ? ` (+${q.unavailable} unavailable)` : ''}${q.failed ? ` (+${q.failed} failed)` : ''}`;
    }).join(', ')
    : '–';
  const head = `views open/closed: epoch ${seconds(line.openEpochSeconds)} vs ${seconds(line.closedEpochSeconds)} = ` +
    `${factor(line.openOverClosed)}, paired ${factor(line.pairedOpenOverClosed)} ` +
    `(${backend}; ${line.open.runs}+${line.closed.runs} runs, ${line.open.epochSeconds.length}+${line.closed.epochSeconds.length} epochs; ` +
    `${line.kinds ? 'only ' : ''}queries answered: ${answered})`;
  const list = (values: number[]) => values.map((v) => fmt(v, 2)).join(' ');
  const ms = (value: number | null | undefined) => fmt(value, 1);
  const notes = [
    `views, ${line.backend}: d2l preset, ${line.config?.train} training and ${line.config?.test} test images, batch ${line.config?.batch}, ` +
      `${line.config?.epochs} epochs per run, the first ${line.skipEpochs ?? 1} not counted, after ${line.warmupRuns ?? 1} warm-up run(s); ` +
      `epoch seconds (test pass included) open: ${list(line.open.epochSeconds)}; closed: ${list(line.closed.epochSeconds)}; ` +
      `open/closed pair by pair: ${(line.pairRatios ?? []).map((r) => fmt(r, 3)).join(' ') || '–'}`,
  ];
  // The figure itself keeps about as many threads busy as there are cores (wasm's pool); more than one beyond is other work.
  if (line.cores !== undefined && line.loadAverageAfter !== undefined && line.loadAverageAfter > line.cores + 1) {
    notes.push(`views, ${line.backend}: the machine was busy (1-minute load average ${fmt(line.loadAverageAfter, 2)} at the end, ` +
      `${line.cores} cores): other work blurs the difference; run it again on a quiet machine`);
  }
  if (queries) {
    notes.push(`views, ${line.backend}: query round trip while training, median / max ms: ` +
      shown.map((kind) => `${kind} ${ms(queries[kind].medianMs)} / ${ms(queries[kind].maxMs)}`).join(', ') +
      `; replaced while one was in flight: ${shown.map((kind) => `${kind} ${queries[kind].replaced}`).join(', ')}`);
  }
  const idle = line.idleQueryMs;
  if (idle) {
    const perEpoch = idleCostPerEpochMs(line);
    const share = perEpoch !== null && line.closedEpochSeconds ? ` (${fmt(perEpoch / (10 * line.closedEpochSeconds), 1)}% of a closed epoch)` : '';
    notes.push(`views, ${line.backend}: one query alone on the idle worker, median ms: ` +
      `${QUERY_ORDER.map((kind) => `${kind} ${ms(idle[kind])}`).join(', ')}; Comlink ping ${ms(idle.ping)}` +
      (perEpoch === null ? '' : `; at these costs the open runs' answers took about ${ms(perEpoch)} ms per epoch${share}`));
  }
  return [head, ...notes.map((n) => `- ${n}`)];
}

export async function writeResults(dir: string, mode: string, lines: BenchLine[], views: ViewsLine[] = []): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `bench-${mode}-${stamp}.jsonl`);
  await writeFile(file, [...lines.map(jsonLine), ...views.map(viewsJsonLine)].join('\n') + '\n');
  return file;
}
