/**
 * Train LeNet from the command line with the same core as the playground:
 *   npm run train -- lr=0.9 epochs=10 train=60000
 * Arguments are the share link's keys. Runs on WebAssembly (backend=cpu for
 * plain JavaScript; backend=webgpu for a GPU through Dawn, the optional npm
 * package `webgpu`) and prints the book's table.
 */
import * as tf from '@tensorflow/tfjs';
import { decode, encode } from '../src/core/config/codec';
import { PRESET_INFO } from '../src/core/config/params';
import { DATASET_INFO } from '../src/core/data/datasets';
import type { Splits } from '../src/core/data/datasetFolder';
import { networkTable, type LayerTable } from '../src/core/model/architecture';
import { buildModel } from '../src/core/model/build';
import { trainModel } from '../src/core/train/train';
import type { PreparedBackend } from '../src/kernels/prepareBackend';
import { chooseTrainingStep } from '../src/kernels/webgpu/compiled';
import { readDataset, startNodeBackend } from './lib/node';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npm run train -- [key=value ...]   e.g. lr=0.9 epochs=10 batch=256 preset=modern train=5000 dataset=mnist');
  process.exit(0);
}

function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

/** The network layer by layer, as the book prints it before training. */
function printTable(table: LayerTable): void {
  const count = (n: number) => n.toLocaleString('en-US');
  const lines = [
    ['layer', 'description', 'output shape', 'parameters', 'multiply-adds'],
    ...table.rows.map((row) => [
      row.name, row.description, row.outputShape ? `[${row.outputShape.join(', ')}]` : '—', count(row.parameters), count(row.multiplyAdds),
    ]),
    ['total', '', '', count(table.totalParameters), count(table.totalMultiplyAdds)],
  ];
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
  for (const line of lines) {
    console.log(line.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd());
  }
}

const { config, problems } = decode(args.join('&'));
for (const problem of problems) console.warn(`warning: ${problem.key}: ${problem.message}`);

const table = networkTable(config);
printTable(table);
if (table.problems.length) fail(`this network cannot be trained:\n${table.problems.map((problem) => `  ${problem}`).join('\n')}`);

let data: Splits;
try {
  data = await readDataset(config.dataset);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const backend = config.backend === 'cpu' || config.backend === 'webgpu' ? config.backend : 'wasm';
if (config.backend !== 'auto' && config.backend !== backend) console.warn(`warning: backend=${config.backend} is browser-only; using wasm`);
let started: PreparedBackend;
try {
  started = await startNodeBackend(backend, { kernels: 'ours', compiledStep: config.kernels === 'compiled' });
  if (started.adapter) console.log(started.adapter);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

console.log(
  `LeNet (${PRESET_INFO[config.preset].label}) on ${DATASET_INFO[config.dataset].label}, ` +
  `${table.totalParameters.toLocaleString('en-US')} parameters, backend ${tf.getBackend()}`,
);
console.log(`settings: ${encode(config) || 'the book\'s defaults'} (lr ${config.lr}, batch ${config.batch}, ${config.epochs} epochs, ${config.optimizer}, ${config.train} train / ${config.test} test images)`);

const model = buildModel(config);
const { step: compiledStep, note: stepNote } = await chooseTrainingStep(started, model, config);
if (stepNote) console.log(`WebGPU: ${stepNote}`);

const pad = (text: string | number, width: number) => String(text).padStart(width);
console.log(`${pad('epoch', 5)} ${pad('loss', 8)} ${pad('train acc', 9)} ${pad('test acc', 9)} ${pad('seconds', 8)} ${pad('images/s', 9)}`);

const end = await trainModel({
  model, config, train: data.train, test: data.test, compiledStep: compiledStep ?? undefined,
  onEvent: (event) => {
    if (event.type === 'epoch') {
      console.log(
        `${pad(event.epoch, 5)} ${pad(event.trainLoss.toFixed(3), 8)} ${pad(event.trainAccuracy.toFixed(3), 9)} ` +
        `${pad(event.testAccuracy.toFixed(3), 9)} ${pad(event.seconds.toFixed(1), 8)} ${pad(Math.round(event.imagesPerSecond), 9)}`,
      );
    }
  },
});
compiledStep?.dispose();
model.dispose();

switch (end.type) {
  case 'done':
    console.log(
      `loss ${end.trainLoss.toFixed(3)}, train acc ${end.trainAccuracy.toFixed(3)}, test acc ${end.testAccuracy.toFixed(3)}\n` +
      `${Math.round(end.imagesPerSecond)} examples/sec on ${tf.getBackend()}, ${end.elapsedSeconds.toFixed(1)} s in all`,
    );
    break;
  case 'diverged':
    console.error(`diverged: ${end.message}`);
    process.exitCode = 2;
    break;
  case 'error':
    console.error(`error: ${end.message}`);
    process.exitCode = 1;
    break;
  case 'stopped':
    process.exitCode = 1;
}
