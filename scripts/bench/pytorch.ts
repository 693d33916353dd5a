/**
 * The reference next to wasm: the book's LeNet in PyTorch's CPU build
 * (scripts/pytorch-lenet.py), same data, batch and image counts, with as many
 * threads as the wasm run used. Optional: runs only when /usr/bin/python3 can
 * import torch (Debian's python3-torch); never a dependency of anything.
 */
import { join } from 'node:path';
import { captureProcess } from './processes';
import { gflops } from './rates';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, '..', 'pytorch-lenet.py');
export const INSTALL_HINT = 'apt-get install python3-torch';

/** PyTorch's figures for one wasm line, or why there are none. */
export interface PytorchFigures {
  available: boolean;
  /** Why it did not run (available false). */
  note?: string;
  torch?: string;
  threads?: number;
  images?: number;
  batch?: number;
  warmup?: number;
  rounds?: number;
  /** Median over rounds. */
  imagesPerSecond?: number;
  msPerStep?: number;
  roundsImagesPerSecond?: number[];
  gflops?: number;
}

export interface PytorchSettings {
  images: number;
  batch: number;
  warmup: number;
  rounds: number;
  threads: number;
}

/**
 * The thread count in the wasm backend's details: the browser's "SIMD, 2
 * threads of 2 cores" (src/worker/backends.ts describeBackend) or Node's
 * "SIMD true, threads 1; …" (scripts/bench/node.ts). Null when not said.
 */
export function wasmThreads(note: string | null | undefined): number | null {
  const match = /\b(\d+) threads? of \d+ cores?\b/.exec(note ?? '') ?? /\bthreads (\d+)\b/.exec(note ?? '');
  const threads = match ? Number(match[1]) : NaN;
  return Number.isSafeInteger(threads) && threads > 0 ? threads : null;
}

export function pytorchArgs(s: PytorchSettings): string[] {
  return [
    '--images', String(s.images), '--batch', String(s.batch), '--warmup', String(s.warmup),
    '--rounds', String(s.rounds), '--threads', String(s.threads),
  ];
}

/** The script's JSON line (its last line that parses), with the arithmetic rate added. */
export function parsePytorchOutput(stdout: string): PytorchFigures {
  for (const text of stdout.trim().split('\n').reverse()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      continue;
    }
    const p = parsed as Omit<PytorchFigures, 'available'> | null;
    const imagesPerSecond = p?.imagesPerSecond;
    if (typeof imagesPerSecond !== 'number') continue;
    const { torch, threads, images, batch, warmup, rounds, msPerStep, roundsImagesPerSecond } = p as PytorchFigures;
    return {
      available: true, torch, threads, images, batch, warmup, rounds, imagesPerSecond, msPerStep, roundsImagesPerSecond,
      gflops: gflops(imagesPerSecond),
    };
  }
  throw new Error(`no result line in its output: ${stdout.trim().slice(-200) || '(empty)'}`);
}

/** The one line the summary prints when there is no comparison at all. */
export function pytorchSkipped(reason: string): string {
  return `PyTorch comparison skipped: ${reason}`;
}

/** The last line of a Python error ("ModuleNotFoundError: No module named 'torch'"). */
export function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() || 'no output';
}

let probe: Promise<string | null> | null = null;

/** Null when /usr/bin/python3 imports torch, else why not (with how to install it). Asked once. */
export function torchMissing(): Promise<string | null> {
  probe ??= captureProcess(PYTHON, ['-c', 'import torch']).then(
    ({ code, stderr }) => (code === 0 ? null : `${PYTHON} cannot import torch (${lastLine(stderr)}); to compare, install it: ${INSTALL_HINT}`),
    (error: unknown) => `${PYTHON} did not run (${error instanceof Error ? error.message : String(error)}); to compare, install python3 and: ${INSTALL_HINT}`,
  );
  return probe;
}

/** scripts/pytorch-lenet.py with these settings; never throws. */
export async function runPytorch(settings: PytorchSettings): Promise<PytorchFigures> {
  const missing = await torchMissing();
  if (missing) return { available: false, note: missing };
  try {
    const { code, stdout, stderr } = await captureProcess(PYTHON, [SCRIPT, ...pytorchArgs(settings)]);
    if (code !== 0) return { available: false, note: `scripts/pytorch-lenet.py failed (exit ${code}): ${lastLine(stderr)}` };
    return parsePytorchOutput(stdout);
  } catch (error) {
    return { available: false, note: `scripts/pytorch-lenet.py: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** What to run PyTorch with for a measured wasm line, or why not (its details give no thread count). */
export function pytorchSettings(line: { note: string | null; images: number; batch: number; warmup: number; rounds: number }): PytorchSettings | string {
  const threads = wasmThreads(line.note);
  if (threads === null) return `the wasm line does not say how many threads it used (${line.note ?? 'no details'})`;
  return { images: line.images, batch: line.batch, warmup: line.warmup, rounds: line.rounds, threads };
}
