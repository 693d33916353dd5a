/** What the command-line tools and the unit tests need to run the core under Node. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist, type Splits } from '../../src/core/data/fashionMnist';
import { registerCpuTrainingKernels } from '../../src/core/cpu/trainingKernels';
import { registerWasmTrainingKernels } from '../../src/core/wasm/trainingKernels';

export const DATA_DIR = join(import.meta.dirname, '..', '..', 'public', 'data', 'fashion-mnist');

export async function readFashionMnist(dir = DATA_DIR): Promise<Splits> {
  return loadFashionMnist(async (name) => {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (error) {
      throw new Error(`${name}: cannot read ${join(dir, name)} (${(error as Error).message}). Run \`npm run data\` first.`, { cause: error });
    }
  });
}

/** tfjs-backend-wasm finds its .wasm files by itself under Node. */
export async function startWasmBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the WebAssembly backend did not start');
  await tf.ready();
}

/** The plain-JavaScript backend with our training kernels, as the app starts it. */
export async function startCpuBackend(): Promise<void> {
  registerCpuTrainingKernels();
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
  await tf.ready();
}
