/**
 * `npm run bench -- --node`: the CLI trainer's path under Node. Each backend
 * runs in two child processes, one after the other (a fresh heap each, like
 * the browser's fresh workers), both started by scripts/lib/node.ts
 * startNodeBackend (src/kernels/prepareBackend.ts): the app's setup (our
 * training kernels) timing ours (and model.fit on wasm and cpu), then tfjs as
 * shipped timing model.fit. WebGPU runs on Dawn, the optional npm package `webgpu`. What differs from the browser: Node's
 * tfjs-backend-wasm never uses threads, so on wasm the two setups differ only
 * in the kernels (ours vs tfjs's own plus the minimal filter gradient). The
 * cold start is the CLI trainer itself, timed from spawn to its first epoch
 * row; it prints no progress events, so there is no first-progress time.
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { measureTraining, setTfjsFlags } from '../../src/bench/measure';
import { setupMethods, type BenchSetup, type MeasureReply, type MeasureSettings, type TfjsFlags } from '../../src/bench/protocol';
import type { ActiveBackend } from '../../src/worker/protocol';
import { readDataset, startNodeBackend } from '../lib/node';
import type { BenchOptions } from './options';
import { flagsField, lineFrom, type BenchLine, type ColdStart, type StockOutcome } from './report';
import { startProcess, stopProcess } from './processes';

const ROOT = join(import.meta.dirname, '..', '..');
const RESULT_MARKER = '@@bench-result ';
export const CHILD_FLAG = '--node-child';

interface ChildRequest extends MeasureSettings {
  backend: ActiveBackend;
  setup: BenchSetup;
  /** Set for the app's setup only (see MeasureRequest.flags). */
  flags: TfjsFlags;
}

/** In the child: start the backend, load the data, measure, print one marked JSON line. */
export async function runNodeChild(request: ChildRequest): Promise<void> {
  const { backend, setup } = request;
  const log = (line: string) => process.stderr.write(`[node ${backend} ${setup}] ${line}\n`);
  // As shipped, wasm has tfjs's own kernels plus only the minimal filter gradient it lacks.
  const started = await startNodeBackend(backend, { kernels: setup === 'app' ? 'ours' : 'as-shipped' });
  const kernels = setup === 'app' ? 'our training kernels'
    : backend === 'wasm' ? 'tfjs as shipped, only the minimal Conv2DBackpropFilter added' : 'tfjs as shipped';
  let platform: string;
  if (backend === 'wasm') {
    const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
    platform = `SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${getThreadsCount()}`;
  } else {
    platform = started.adapter ?? 'plain JavaScript';
  }
  let note = `${platform}; ${kernels}`;
  if (setup === 'app') note = [note, setTfjsFlags(request.flags)].filter(Boolean).join('; ');
  log(`backend ${tf.getBackend()}: ${note}`);
  const dataStart = performance.now();
  const splits = await readDataset('fashion');
  const dataSeconds = (performance.now() - dataStart) / 1000;
  const result = await measureTraining({
    backend, images: request.images, batch: request.batch, warmup: request.warmup, rounds: request.rounds,
    methods: setupMethods(setup, backend), tutorialModel: setup === 'stock', train: splits.train, test: splits.test, log,
    heapUsed: () => process.memoryUsage().heapUsed,
  });
  const reply: MeasureReply = { requested: backend, setup, backend, available: true, note, dataSeconds, result };
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(reply)}\n`);
}

/** Output lines of a child, as they come. */
function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
  });
}

async function measureInChild(request: ChildRequest): Promise<MeasureReply> {
  const script = process.argv[1];
  const child = startProcess(process.execPath, [...process.execArgv, script, CHILD_FLAG, JSON.stringify(request)], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let reply: MeasureReply | null = null;
  const other: string[] = [];
  lines(child.stdout!, (line) => {
    if (line.startsWith(RESULT_MARKER)) reply = JSON.parse(line.slice(RESULT_MARKER.length)) as MeasureReply;
    else if (line.trim()) other.push(line);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  if (other.length) process.stderr.write(`${other.map((l) => `[node ${request.backend} ${request.setup}] ${l}`).join('\n')}\n`);
  if (code !== 0 || !reply) throw new Error(`the ${request.backend} ${request.setup} run failed (${signal ?? `exit ${code}`})`);
  return reply;
}

/** `tsx scripts/train.ts backend=… train=… test=256 epochs=1`: seconds from spawn to its first epoch row. */
async function cliColdStart(backend: ActiveBackend, options: BenchOptions): Promise<ColdStart> {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const args = [`backend=${backend}`, `train=${options.images}`, 'test=256', 'epochs=1', `batch=${options.batch}`];
  const command = `tsx scripts/train.ts ${args.join(' ')}`;
  const start = performance.now();
  const child = startProcess(process.execPath, [tsx, 'scripts/train.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let firstRow: number | null = null;
  const onLine = (line: string) => {
    output.push(line);
    // The epoch table's first row: "    1    2.301     0.101 …"
    if (firstRow === null && /^\s*1\s+\d+\.\d+\s+\d+\.\d+/.test(line)) firstRow = performance.now();
  };
  lines(child.stdout!, onLine);
  lines(child.stderr!, (line) => output.push(line));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  await stopProcess(child);
  const at = firstRow as number | null;
  if (code !== 0 || at === null) {
    throw new Error(`${command} failed (exit ${code}): ${output.slice(-5).join(' | ')}`);
  }
  return {
    seconds: (at - start) / 1000,
    firstProgressSeconds: null,
    firstProgressNote: 'the CLI trainer prints epoch rows only, no progress events',
    command,
  };
}

export async function runNodeBench(options: BenchOptions, onLine: (line: BenchLine) => void | Promise<void>): Promise<BenchLine[]> {
  const results: BenchLine[] = [];
  for (const backend of options.backends) {
    const startedAt = new Date().toISOString();
    const loadAverage = loadavg()[0];
    const base = {
      mode: 'node' as const, backend, images: options.images, batch: options.batch, warmup: options.warmup,
      rounds: options.rounds, ...flagsField(options), runtime: `Node ${process.version}`, tfjs: tf.version.tfjs, loadAverage, startedAt,
    };
    const settings = {
      backend, images: options.images, batch: options.batch, warmup: options.warmup, rounds: options.rounds, flags: options.flags,
    };
    const heapSource = (samples = 0) => `process.memoryUsage().heapUsed of the child process, ${samples} samples`;
    let line: BenchLine;
    try {
      const timed = setupMethods('app', backend).map((m) => (m === 'fit' ? 'model.fit' : m)).join(' and ');
      process.stderr.write(`bench: ${backend} under Node, the app's setup (${timed}, our kernels)…\n`);
      const reply = await measureInChild({ ...settings, setup: 'app' });
      let stock: StockOutcome;
      try {
        process.stderr.write(`bench: ${backend} under Node, tfjs as shipped (model.fit)…\n`);
        const r = await measureInChild({ ...settings, setup: 'stock' });
        stock = { available: true, note: r.note, dataSeconds: r.dataSeconds, result: r.result, heapSource: heapSource(r.result?.heapSamples) };
      } catch (error) {
        stock = { available: false, note: null, error: error instanceof Error ? error.message : String(error), result: null };
      }
      line = lineFrom({ ...base, available: true, note: reply.note, dataSeconds: reply.dataSeconds }, reply.result, stock);
      line.heapSource = heapSource(reply.result?.heapSamples);
    } catch (error) {
      line = { ...base, available: false, note: null, error: error instanceof Error ? error.message : String(error) };
    }
    if (options.coldStart && line.available) {
      try {
        process.stderr.write(`bench: ${backend} cold start (CLI trainer)…\n`);
        line.coldStart = await cliColdStart(backend, options);
        line.coldStartSeconds = line.coldStart.seconds;
      } catch (error) {
        line.coldStart = { error: error instanceof Error ? error.message : String(error) };
        line.coldStartSeconds = null;
      }
    }
    results.push(line);
    await onLine(line);
  }
  return results;
}
