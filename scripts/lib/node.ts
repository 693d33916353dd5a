/** What the command-line tools and the unit tests need to run the core under Node. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASET_INFO, type DatasetName } from '../../src/core/data/datasets';
import { loadDatasetFolder, type Splits } from '../../src/core/data/datasetFolder';
import { prepareBackend } from '../../src/kernels/prepareBackend';
import type { ActiveBackend, BackendEnvironment, PrepareOptions, PreparedBackend } from '../../src/kernels/prepareBackend';

export const DATA_ROOT = join(import.meta.dirname, '..', '..', 'public', 'data');

/** A built-in dataset from public/data/<folder>/; the learner's own files exist only in the browser. */
export async function readDataset(dataset: DatasetName, root = DATA_ROOT): Promise<Splits> {
  const { folder, label } = DATASET_INFO[dataset];
  if (!folder) throw new Error(`dataset=${dataset} (${label}) is chosen in the browser only; use dataset=fashion or dataset=mnist here`);
  const dir = join(root, folder);
  return loadDatasetFolder(async (name) => {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (error) {
      throw new Error(`${name}: cannot read ${join(dir, name)} (${(error as Error).message}). Run \`npm run data\` first.`, { cause: error });
    }
  });
}

/**
 * The optional npm package that gives Node a WebGPU: Dawn, the engine behind
 * Chromium's WebGPU, for measuring a GPU machine without a browser. Never a
 * dependency of the app or its tests: install it by hand.
 */
export const DAWN_PACKAGE = 'webgpu';
export const DAWN_INSTALL = `npm install --no-save ${DAWN_PACKAGE}@0.6.2`;

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

export type ModuleImporter = (name: string) => Promise<unknown>;

/**
 * Dawn's options from the environment, comma-separated: DAWN_OPTIONS=backend=null
 * picks Dawn's null backend, which runs no GPU work at all, so a step's time is
 * what JavaScript and Dawn spend on the CPU: the ceiling any GPU could reach.
 */
export function dawnOptions(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.DAWN_OPTIONS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Gives this process a `navigator.gpu` through Dawn and returns the adapter's
 * description; throws with what to do when the package or a GPU is missing.
 * Dawn reaches the GPU through Vulkan: it needs libvulkan.so.1 and a driver
 * (an ICD; VK_DRIVER_FILES picks one, e.g. NVIDIA's or SwiftShader's).
 */
export async function installNodeWebGpu(
  importModule: ModuleImporter = (name) => import(name), options: string[] = dawnOptions(),
): Promise<string> {
  let dawn: DawnModule;
  try {
    dawn = (await importModule(DAWN_PACKAGE)) as DawnModule;
  } catch (error) {
    throw new Error(`WebGPU under Node needs the optional npm package "${DAWN_PACKAGE}" (Dawn): run \`${DAWN_INSTALL}\``, { cause: error });
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create(options);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error('Dawn found no WebGPU adapter: it needs a GPU with a Vulkan driver (libvulkan.so.1 and an ICD; ' +
      'VK_DRIVER_FILES names one) or a software one such as Chromium\'s SwiftShader (see README, "Benchmark")');
  }
  // Node 21+ has a navigator without gpu; Node 20 has none.
  if (globalThis.navigator) Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(Boolean);
  const how = options.length ? ` (${options.join(', ')})` : '';
  return `Dawn under Node${how}, adapter ${parts.length ? parts.join(' / ') : 'unknown'}`;
}

/**
 * What prepareBackend needs under Node: WebGPU through Dawn. tfjs-backend-wasm
 * finds its .wasm files by itself here and never uses threads.
 */
export const NODE_ENVIRONMENT: BackendEnvironment = { installWebGpu: () => installNodeWebGpu() };

/**
 * Starts `name` under Node with our training kernels as the app starts them
 * (default), or as shipped; webgpu on Dawn. Throws saying why it cannot start
 * (webgl never does here: it needs a browser).
 */
export async function startNodeBackend(
  name: ActiveBackend, options: PrepareOptions = { kernels: 'ours' },
): Promise<PreparedBackend> {
  try {
    return await prepareBackend(name, options, NODE_ENVIRONMENT);
  } catch (error) {
    throw new Error(`the ${name} backend did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** WebAssembly with our training kernels: the backend of the unit tests that train. */
export async function startWasmBackend(): Promise<void> {
  await startNodeBackend('wasm');
}
