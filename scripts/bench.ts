/**
 * `npm run bench`: LeNet (d2l preset) training speed on every backend that
 * works here, our training loop against a plain `model.fit` loop (on tfjs as
 * shipped, the target's baseline, and with the app's kernels), plus cold
 * start, first progress, tensors left and peak heap; in the browser also the
 * epoch time with the inspection views open against closed. See
 * scripts/bench/options.ts for flags:
 *
 *   npm run bench                                  headless Chromium, all backends
 *   npm run bench -- --backends=wasm,webgl --images=4096 --batch=256 --warmup=512
 *   npm run bench -- --views-only                  only views open against closed (wasm)
 *   npm run bench -- --node [--backends=wasm,cpu]  the CLI trainer's path under Node
 *   npm run bench -- --backends=wasm --batches=64,256,1024 --rounds=3 --no-cold
 *
 * Next to each wasm line, PyTorch's CPU build at the same thread count
 * (scripts/pytorch-lenet.py, when /usr/bin/python3 has torch; see
 * bench/pytorch.ts); every line also gives its GFLOP/s (bench/rates.ts).
 *
 * Prints one JSON line per backend and one per views figure (stdout; progress
 * goes to stderr), then a summary table and the views figures, and writes the
 * JSON lines to bench-results/.
 */
import { join } from 'node:path';
import { CHILD_FLAG, runNodeBench, runNodeChild } from './bench/node';
import { OptionsError, USAGE, batchRuns, optionWarnings, parseBenchArgs, type BenchOptions } from './bench/options';
import { pytorchSettings, runPytorch } from './bench/pytorch';
import {
  jsonLine, summaryTable, viewsJsonLine, viewsSummary, withPytorch, writeResults, type BenchLine, type ViewsLine,
} from './bench/report';

const RESULTS_DIR = join(import.meta.dirname, '..', 'bench-results');

async function main(argv: string[]): Promise<number> {
  if (argv[0] === CHILD_FLAG) {
    await runNodeChild(JSON.parse(argv[1]));
    return 0;
  }
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (error instanceof OptionsError) {
      console.error(`npm run bench: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = batchRuns(options);
  for (const warning of new Set(runs.flatMap(optionWarnings))) console.error(`warning: ${warning}`);

  const print = async (line: BenchLine) => {
    if (line.backend === 'wasm' && line.available && line.ours) {
      const settings = options.pytorch ? pytorchSettings(line) : '--no-pytorch given';
      if (typeof settings === 'string') withPytorch(line, { available: false, note: settings });
      else {
        console.error(`bench: wasm, batch ${settings.batch}: PyTorch's CPU build with ${settings.threads} thread(s), as wasm…`);
        withPytorch(line, await runPytorch(settings));
      }
    }
    console.log(jsonLine(line));
  };
  const views: ViewsLine[] = [];
  const printViews = (line: ViewsLine) => {
    views.push(line);
    console.log(viewsJsonLine(line));
  };
  // Imported only when needed: the GPU kit (scripts/gpu-kit) bundles the Node
  // path alone, without Playwright and Vite.
  const lines: BenchLine[] = [];
  for (const run of runs) {
    lines.push(...(run.mode === 'node'
      ? await runNodeBench(run, print)
      : await (await import('./bench/browser')).runBrowserBench(run, print, printViews)));
  }
  if (!options.viewsOnly) console.log(`\n${summaryTable(lines)}`);
  if (views.length) console.log(`\n${views.flatMap(viewsSummary).join('\n')}`);
  const file = await writeResults(RESULTS_DIR, options.mode, lines, views);
  console.log(`results: ${file}`);
  return lines.some((l) => l.available) || views.some((v) => v.available) ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
