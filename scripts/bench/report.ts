/** The benchmark's output: one JSON line per backend, a summary table, a results file. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MeasureResult, MethodFigures } from '../../src/bench/protocol';
import type { ActiveBackend } from '../../src/worker/protocol';

export interface ColdStart {
  /** From navigation start (browser) or process start (Node) to the first epoch row. */
  seconds: number;
  /** When Train was pressed, same origin (browser only). */
  trainPressedSeconds?: number;
  url?: string;
  command?: string;
}

export interface BenchLine {
  mode: 'browser' | 'node';
  backend: ActiveBackend;
  /** False when the backend could not start here; then `note` says why and no figures follow. */
  available: boolean;
  note: string | null;
  error?: string;
  images: number;
  batch: number;
  warmup: number;
  rounds: number;
  steps?: number;
  ours?: MethodFigures;
  fit?: MethodFigures;
  /** Our images/s divided by model.fit's, same run, same backend. */
  oursOverFit?: number;
  coldStartSeconds?: number | null;
  coldStart?: ColdStart | { error: string };
  tensorsBefore?: number;
  tensorsAfter?: number;
  /** Peak JS heap of the bench worker over its life (browser) or of the Node process during the measurement. */
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

export function lineFrom(base: Omit<BenchLine, 'ours' | 'fit' | 'oursOverFit' | 'steps'>, result: MeasureResult | null): BenchLine {
  if (!result) return base;
  const { ours, fit, oursOverFit, steps, tensorsBefore, tensorsAfter, peakHeapBytes } = result;
  return { ...base, steps, ours, fit, oursOverFit, tensorsBefore, tensorsAfter, peakHeapBytes };
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
  'mode', 'backend', 'available', 'error', 'ours', 'fit', 'oursOverFit', 'coldStartSeconds', 'tensorsAfter', 'tensorsBefore',
  'peakHeapBytes', 'note', 'images', 'batch', 'warmup', 'rounds', 'steps', 'dataSeconds', 'coldStart', 'heapSource',
  'runtime', 'tfjs', 'loadAverage', 'startedAt',
];

export function jsonLine(line: BenchLine): string {
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (line[key] !== undefined) ordered[key] = line[key];
  for (const [key, value] of Object.entries(line)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
  return JSON.stringify(rounded(ordered));
}

const fmt = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

export function summaryTable(lines: BenchLine[]): string {
  const header = ['backend', 'ours img/s', 'ms/step', 'fit img/s', 'ms/step', 'ours/fit', 'cold s', 'tensors', 'heap MiB'];
  const rows = lines.map((l) => {
    if (!l.available || !l.ours || !l.fit) {
      return [l.backend, `unavailable: ${l.error ?? l.note ?? 'unknown reason'}`];
    }
    return [
      l.backend,
      fmt(l.ours.imagesPerSecond), fmt(l.ours.msPerStep),
      fmt(l.fit.imagesPerSecond), fmt(l.fit.msPerStep),
      `${fmt(l.oursOverFit, 2)}×`,
      fmt(l.coldStartSeconds),
      `${l.tensorsBefore}→${l.tensorsAfter}`,
      l.peakHeapBytes ? fmt(l.peakHeapBytes / 2 ** 20) : '–',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.filter((r) => r.length > 2).map((r) => r[i].length)));
  const render = (cells: string[]) =>
    cells.length === 2
      ? `${cells[0].padEnd(widths[0])}  ${cells[1]}`
      : cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const first = lines[0];
  const title = first
    ? `LeNet (d2l preset) training speed, ${first.mode === 'node' ? 'Node' : 'headless Chromium'} (${first.runtime}), ` +
      `batch ${first.batch}, ${first.images} timed images after ${first.warmup} warm-up, ${first.rounds} round(s)`
    : 'no results';
  return [title, render(header), ...rows.map(render)].join('\n');
}

export async function writeResults(dir: string, mode: string, lines: BenchLine[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(dir, `bench-${mode}-${stamp}.jsonl`);
  await writeFile(file, lines.map(jsonLine).join('\n') + '\n');
  return file;
}
