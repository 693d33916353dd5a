/** Command line of `npm run bench`. Pure: parses argv, never exits. */
import type { QueryKind, TfjsFlags } from '../../src/bench/protocol';
import type { ActiveBackend } from '../../src/worker/protocol';
import { D2L_MULTIPLY_ADDS, thousands } from './rates';

export const BROWSER_BACKENDS: readonly ActiveBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
export const NODE_BACKENDS: readonly ActiveBackend[] = ['wasm', 'cpu', 'webgpu'];
export const VIEW_QUERY_KINDS: readonly QueryKind[] = ['predict', 'activations', 'mistakes', 'cell', 'samples'];

export interface BenchOptions {
  mode: 'browser' | 'node';
  backends: ActiveBackend[];
  images: number;
  batch: number;
  /**
   * Batch sizes to measure one after the other (--batches); [batch] when not
   * given. See batchRuns.
   */
  batches: number[];
  warmup: number;
  rounds: number;
  /** tfjs flags for the app's setup only, so a tuning is compared with the same baseline. */
  flags: TfjsFlags;
  /** Measure seconds to the first epoch row from a cold start. */
  coldStart: boolean;
  /** Build the app first (browser mode); off to reuse the last bench build. */
  build: boolean;
  /**
   * Backends of the "views open against closed" figure (browser mode; see
   * src/bench/viewsLoad.ts); empty: not measured.
   */
  viewsBackends: ActiveBackend[];
  /** Only the views figure: no training-speed measurement, no cold start. */
  viewsOnly: boolean;
  /** Timed runs of the views figure, alternating closed and open. */
  viewsRuns: number;
  /** The query kinds the open views send (default all): to see what one kind costs. */
  viewsKinds: QueryKind[];
  /** Open runs also have a learner drawing all the time (a prediction every 100 ms). */
  viewsDrawing: boolean;
  /** Time scripts/pytorch-lenet.py next to wasm when /usr/bin/python3 has torch (off: --no-pytorch). */
  pytorch: boolean;
  help: boolean;
}

export const DEFAULTS = { images: 4096, batch: 256, warmup: 512, rounds: 1 } as const;
export const VIEWS_DEFAULTS = { runs: 10 } as const;
/** The views figure's runs: small, so that many fit in a minute on wasm (on top of the d2l preset). */
export const VIEWS_CONFIG = { train: 4096, test: 1000, epochs: 4, batch: 256 } as const;

export const USAGE = `usage: npm run bench -- [options]

Trains the d2l LeNet preset with our loop and with a plain model.fit loop on
each backend, in headless Chromium (default) or under Node (--node): first
with the app's backend setup (ours, and model.fit with our kernels), then on
tfjs as shipped (model.fit, the baseline). Prints one JSON line per backend
plus a summary; the lines also go to bench-results/.

  --node                 measure the CLI trainer's path under Node (wasm; cpu or webgpu if asked;
                         webgpu needs Dawn: npm install --no-save webgpu@0.6.2, see README)
  --backends=LIST        comma-separated, of ${BROWSER_BACKENDS.join(', ')} (browser; default: all)
                         or of ${NODE_BACKENDS.join(', ')} (--node; default: wasm)
  --images=N             timed training images per run (default ${DEFAULTS.images}; a multiple of --batch)
  --batch=N              batch size (default ${DEFAULTS.batch})
  --batches=LIST         measure each of these batch sizes in turn, e.g. 64,256,1024 (instead of --batch);
                         --images and --warmup are rounded to a multiple of each
  --warmup=N             images trained before timing, per method (default ${DEFAULTS.warmup})
  --rounds=N             timed runs per method, alternating order; medians reported (default ${DEFAULTS.rounds})
  --flags=LIST           tfjs flags for the app's setup, e.g. WEBGL_EXP_CONV=true,WEBGL_FLUSH_THRESHOLD=1
                         (NAME=true|false|number; the model.fit baseline keeps tfjs's defaults)
  --no-cold              skip the cold-start measurement
  --no-build             reuse the last bench build (browser mode)
  --no-pytorch           skip the PyTorch comparison. Otherwise, next to each wasm line, scripts/pytorch-lenet.py
                         trains the same network, data and batch on PyTorch's CPU build with as many threads as
                         wasm used, when /usr/bin/python3 can import torch (apt-get install python3-torch)

Every line also gives the arithmetic rate achieved, GFLOP/s = 6 × ${thousands(D2L_MULTIPLY_ADDS)} multiply-adds
per image (the d2l network's forward pass; training is it plus two backward passes, 2 flops each) × images/s / 1e9.

Views open against closed (browser mode): the app's own training worker runs
one small config (d2l preset, ${VIEWS_CONFIG.train} training and ${VIEWS_CONFIG.test} test images, batch ${VIEWS_CONFIG.batch},
${VIEWS_CONFIG.epochs} epochs, the first not counted) several times, alternating runs with the inspection
views' queries and without; prints the ratio of median epoch times (the target: within 3%).
  --views-backends=LIST  where to measure it (default: wasm, when it is among --backends)
  --views-runs=N         timed runs, alternating closed and open (default ${VIEWS_DEFAULTS.runs}; plus a warm-up run)
  --views-kinds=LIST     only these queries, of ${VIEW_QUERY_KINDS.join(', ')} (default: all): what each costs
  --views-drawing        the open runs also have a learner drawing throughout (a prediction every 100 ms)
  --views-only           only this figure (on --views-backends, else --backends, else wasm)
  --no-views             skip it
  --help                 this text`;

export class OptionsError extends Error {}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new OptionsError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

/** "A=true,B=2" → { A: true, B: 2 }. */
function parseFlags(text: string): TfjsFlags {
  const flags: TfjsFlags = {};
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Z0-9_]*)=(true|false|-?\d+(?:\.\d+)?)$/.exec(item);
    if (!match) throw new OptionsError(`--flags: "${item}" is not NAME=true, NAME=false or NAME=number (names are upper case)`);
    const [, name, value] = match;
    flags[name] = value === 'true' ? true : value === 'false' ? false : Number(value);
  }
  if (!Object.keys(flags).length) throw new OptionsError('--flags is empty');
  return flags;
}

function parseKinds(text: string): QueryKind[] {
  const kinds = text.split(',').map((k) => k.trim().toLowerCase()).filter(Boolean);
  if (!kinds.length) throw new OptionsError('--views-kinds is empty');
  for (const kind of kinds) {
    if (!VIEW_QUERY_KINDS.includes(kind as QueryKind)) throw new OptionsError(`query kind "${kind}" is not one of ${VIEW_QUERY_KINDS.join(', ')}`);
  }
  return VIEW_QUERY_KINDS.filter((kind) => kinds.includes(kind));
}

function parseBatches(text: string): number[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new OptionsError('--batches is empty');
  return [...new Set(items.map((item) => integer('batches', item, 1, 2048)))];
}

/** `n` rounded to the nearest multiple of `batch`, at least one batch. */
export function roundToBatch(n: number, batch: number): number {
  return Math.max(batch, Math.round(n / batch) * batch);
}

/**
 * The measurements --batches asks for, one options object per batch size:
 * --images rounded to a multiple of each batch (every step the same shape),
 * --warmup too unless 0. A single --batch is one run with its options as given.
 * The views figure depends on no batch size: it goes with the last run only.
 */
export function batchRuns(options: BenchOptions): BenchOptions[] {
  if (options.batches.length <= 1 || options.viewsOnly) return [options];
  return options.batches.map((batch, i) => ({
    ...options,
    batch, batches: [batch],
    images: roundToBatch(options.images, batch),
    warmup: options.warmup === 0 ? 0 : roundToBatch(options.warmup, batch),
    build: options.build && i === 0,
    viewsBackends: i === options.batches.length - 1 ? options.viewsBackends : [],
  }));
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    mode: 'browser', backends: [], ...DEFAULTS, batches: [], flags: {}, coldStart: true, build: true,
    viewsBackends: [], viewsOnly: false, viewsRuns: VIEWS_DEFAULTS.runs, viewsKinds: [...VIEW_QUERY_KINDS], viewsDrawing: false,
    pytorch: true, help: false,
  };
  let batchGiven = false;
  let backends: string[] | null = null;
  let viewsBackends: string[] | null = null;
  let views = true;
  const list = (text: string) => text.split(',').map((b) => b.trim().toLowerCase()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new OptionsError(`unexpected argument "${arg}" (see --help)`);
    const [, name, inline] = match;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new OptionsError(`--${name} needs a value`);
      i++;
      return next;
    };
    switch (name) {
      case 'help': options.help = true; break;
      case 'node': options.mode = 'node'; break;
      case 'no-cold': options.coldStart = false; break;
      case 'no-build': options.build = false; break;
      case 'backends':
      case 'backend': backends = list(value()); break;
      case 'views-backends': viewsBackends = list(value()); break;
      case 'views-runs': options.viewsRuns = integer(name, value(), 2, 50); break;
      case 'views-kinds': options.viewsKinds = parseKinds(value()); break;
      case 'views-only': options.viewsOnly = true; break;
      case 'views-drawing': options.viewsDrawing = true; break;
      case 'no-views': views = false; break;
      case 'images': options.images = integer(name, value(), 1, 60_000); break;
      case 'batch': options.batch = integer(name, value(), 1, 2048); batchGiven = true; break;
      case 'batches': options.batches = parseBatches(value()); break;
      case 'no-pytorch': options.pytorch = false; break;
      case 'warmup': options.warmup = integer(name, value(), 0, 60_000); break;
      case 'rounds': options.rounds = integer(name, value(), 1, 50); break;
      case 'flags': options.flags = { ...options.flags, ...parseFlags(value()) }; break;
      default: throw new OptionsError(`unknown option --${name} (see --help)`);
    }
  }
  if (options.batches.length && batchGiven) throw new OptionsError('give --batch or --batches, not both');
  if (options.batches.length) options.batch = options.batches[0];
  else options.batches = [options.batch];
  const allowed = options.mode === 'node' ? NODE_BACKENDS : BROWSER_BACKENDS;
  if (backends === null) {
    options.backends = options.mode === 'node' ? ['wasm'] : [...BROWSER_BACKENDS];
  } else {
    if (backends.length === 0) throw new OptionsError('--backends is empty');
    for (const backend of backends) {
      if (!allowed.includes(backend as ActiveBackend)) {
        throw new OptionsError(`backend "${backend}" is not one of ${allowed.join(', ')}${options.mode === 'node' ? ' under Node' : ''}`);
      }
    }
    options.backends = [...new Set(backends)] as ActiveBackend[];
  }
  if (options.mode === 'node' && (options.viewsOnly || viewsBackends !== null)) {
    throw new OptionsError('the views figure runs in the browser only, not with --node');
  }
  if (!views && (options.viewsOnly || viewsBackends !== null)) throw new OptionsError('--no-views contradicts --views-only and --views-backends');
  if (viewsBackends !== null) {
    if (viewsBackends.length === 0) throw new OptionsError('--views-backends is empty');
    for (const backend of viewsBackends) {
      if (!BROWSER_BACKENDS.includes(backend as ActiveBackend)) throw new OptionsError(`views backend "${backend}" is not one of ${BROWSER_BACKENDS.join(', ')}`);
    }
    options.viewsBackends = [...new Set(viewsBackends)] as ActiveBackend[];
  } else if (options.viewsOnly) {
    options.viewsBackends = backends === null ? ['wasm'] : options.backends;
  } else if (views && options.mode === 'browser') {
    options.viewsBackends = options.backends.includes('wasm') ? ['wasm'] : [];
  }
  return options;
}

/** Things worth a warning that do not stop the run. */
export function optionWarnings(options: BenchOptions): string[] {
  const warnings: string[] = [];
  // --views-only trains nothing with --images, --batch and --warmup.
  if (!options.viewsOnly) {
    if (options.images % options.batch !== 0) {
      warnings.push(`--images=${options.images} is not a multiple of --batch=${options.batch}: the last, smaller step ` +
        'has other shapes (and, on GPU backends, may compile new kernels inside the timed run)');
    }
    if (options.images < 2048) warnings.push(`--images=${options.images} is small: figures will be noisy (default ${DEFAULTS.images})`);
    if (options.warmup < options.batch && options.warmup > 0) {
      warnings.push(`--warmup=${options.warmup} is less than one batch: the warm-up is one smaller step with other shapes`);
    }
  }
  const slow = options.viewsBackends.filter((b) => b !== 'wasm');
  if (slow.length) {
    warnings.push(`the views figure trains ${options.viewsRuns + 1} runs of ${VIEWS_CONFIG.epochs} epochs of ` +
      `${VIEWS_CONFIG.train} images on ${slow.join(', ')}: minutes on cpu, much longer on a software GPU`);
  }
  return warnings;
}
