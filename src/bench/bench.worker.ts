/**
 * The benchmark's worker. Starts one backend in one of two setups (see
 * BenchSetup in ./protocol), loads the dataset and runs ./measure:
 * - 'app': the app worker's way (chooseBackend, which starts the backend with
 *   src/kernels/prepareBackend.ts: wasm paths, our training kernels and
 *   WebAssembly threads); times ours, and on wasm and cpu model.fit too.
 * - 'stock': tfjs as shipped, started the way a tutorial would
 *   (prepareBackend with kernels 'as-shipped'); times model.fit only.
 * The bench page spawns one per backend and setup, so every measurement
 * starts from a fresh worker and heap. checkKernels compares our GPU training
 * kernels with the backend's own (the e2e tests call it).
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { parseArch } from '../core/config/arch';
import { DATASET_INFO } from '../core/data/datasets';
import { loadDatasetFolder } from '../core/data/datasetFolder';
import { prepareBackend, registerTrainingKernels, unregisterTrainingKernels } from '../kernels/prepareBackend';
import { budgetHits, setSplitBudget } from '../kernels/shared/gpu';
import type { GpuBackendName } from '../kernels/shared/gpu';
import { CASES, caseNamed, FORWARD_ONLY_CASES, maxAbs, randoms, readConv2dGrads, relError, size, SPLIT_CASES } from '../kernels/shared/testValues';
import type { Grads } from '../kernels/shared/testValues';
import { keptPatchCount } from '../kernels/webgl/convolutions';
import { checkWasmKernels } from '../kernels/wasm/kernelCheck';
import { checkCompiledStep } from '../kernels/webgpu/compiled/stepCheck';
import { browserEnvironment, chooseBackend, describeBackend } from '../worker/backends';
import type { ActiveBackend } from '../worker/protocol';
import { measureTraining, setTfjsFlags } from './measure';
import { compareWasmKernels, profileTraining } from './profile';
import {
  setupMethods,
  type BenchWorkerApi,
  type KernelCheck,
  type KernelCheckReply,
  type MeasureReply,
  type MeasureRequest,
  type ProfileReply,
  type ProfileRequest,
  type StepCheckReply,
  type WasmKernelCheckReply,
} from './protocol';

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status} (run \`npm run data\`?)`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Chrome's non-standard performance.memory; precise only with --enable-precise-memory-info. */
function heapUsed(): number | null {
  const memory = (performance as Performance & { memory?: { usedJSHeapSize?: number } }).memory;
  return typeof memory?.usedJSHeapSize === 'number' ? memory.usedJSHeapSize : null;
}

const short = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 160);

/**
 * tfjs as shipped, started the way a tutorial does: no chooseBackend, no
 * thread count, none of our kernels (prepareBackend with kernels
 * 'as-shipped'; on wasm single-threaded, plus the minimal filter gradient
 * tfjs lacks; on webgl a software renderer allowed, SwiftShader here).
 * Returns how it was started, or throws with the reason it could not start.
 */
async function startStock(backend: ActiveBackend): Promise<string> {
  const details: string[] = ['tfjs as shipped'];
  try {
    await prepareBackend(backend, { kernels: 'as-shipped' }, browserEnvironment());
  } catch (error) {
    throw new Error(`${backend} failed to start: ${short(error)}`, { cause: error });
  }
  if (backend === 'wasm') details.push('only the minimal Conv2DBackpropFilter added (Conv3DBackpropFilterV2 on a depth-1 view)');
  details.push(await describeBackend(backend));
  return details.join('; ');
}

const api: BenchWorkerApi = {
  async profile(request: ProfileRequest): Promise<ProfileReply> {
    const { backend } = request;
    const splits = await loadDatasetFolder((name) => fetchBytes(new URL(`${DATASET_INFO.fashion.folder}/${name}`, request.dataUrl)));
    const choice = await chooseBackend(backend);
    if (choice.backend !== backend) return { backend, available: false, note: choice.note, result: null };
    const parsed = request.arch === undefined ? undefined : parseArch(request.arch);
    if (parsed?.problem !== undefined) return { backend, available: false, note: `arch ${parsed.problem}`, result: null };
    const input = { backend, arch: parsed?.arch, batch: request.batch, steps: request.steps, train: splits.train, test: splits.test };
    const comparison = backend === 'wasm' && request.compare?.length ? await compareWasmKernels(input, request.compare) : undefined;
    const result = await profileTraining(input);
    return { backend, available: true, note: await describeBackend(backend), result, comparison };
  },
  async checkWasmKernels(): Promise<WasmKernelCheckReply> {
    const choice = await chooseBackend('wasm');
    if (choice.backend !== 'wasm') return { available: false, note: choice.note ?? '' };
    return { available: true, note: await describeBackend('wasm'), ...(await checkWasmKernels()) };
  },
  async checkCompiledStep(): Promise<StepCheckReply> {
    const choice = await chooseBackend('webgpu');
    if (choice.backend !== 'webgpu') return { available: false, note: choice.note ?? '', cases: [] };
    return { available: true, note: await describeBackend('webgpu'), cases: await checkCompiledStep() };
  },
  async measure(request: MeasureRequest, onLog: (line: string) => void): Promise<MeasureReply> {
    const log = (line: string) => {
      void onLog(line);
    };
    const { backend: requested, setup } = request;
    const dataStart = performance.now();
    const splits = await loadDatasetFolder((name) => fetchBytes(new URL(`${DATASET_INFO.fashion.folder}/${name}`, request.dataUrl)));
    const dataSeconds = (performance.now() - dataStart) / 1000;
    log(`dataset ready in ${dataSeconds.toFixed(1)} s`);

    let note: string;
    if (setup === 'stock') {
      try {
        note = await startStock(requested);
      } catch (error) {
        return { requested, setup, backend: requested, available: false, note: short(error), dataSeconds, result: null };
      }
    } else {
      const choice = await chooseBackend(requested);
      if (choice.backend !== requested) {
        return { requested, setup, backend: choice.backend, available: false, note: choice.note, dataSeconds, result: null };
      }
      let flags: string;
      try {
        flags = setTfjsFlags(request.flags);
      } catch (error) {
        return { requested, setup, backend: requested, available: false, note: short(error), dataSeconds, result: null };
      }
      note = [choice.note, await describeBackend(choice.backend), flags].filter(Boolean).join('; ');
    }
    log(`backend ${tf.getBackend()} (${setup}): ${note}`);
    const result = await measureTraining({
      backend: requested, images: request.images, batch: request.batch, warmup: request.warmup,
      rounds: request.rounds, methods: setupMethods(setup, requested), tutorialModel: setup === 'stock',
      train: splits.train, test: splits.test, heapUsed, log,
    });
    return { requested, setup, backend: requested, available: true, note, dataSeconds, result };
  },

  async checkKernels(backend: GpuBackendName): Promise<KernelCheckReply> {
    const choice = await chooseBackend(backend);
    if (choice.backend !== backend) return { backend, available: false, note: choice.note ?? '', cases: [], forwardCases: [], patchesKept: 0 };
    const cases: KernelCheck[] = [];
    const runs = [
      ...CASES.map((c) => ({ c, name: c.name, budget: undefined as number | undefined })),
      // Again with a small split budget: the paths large batches and filters take.
      ...SPLIT_CASES.map(({ name, budget }) => ({ c: caseNamed(name), name: `${name} (split budget ${budget})`, budget })),
    ];
    for (const { c, name, budget } of runs) {
      unregisterTrainingKernels(backend);
      const reference = await readConv2dGrads(c, 7);
      registerTrainingKernels(backend);
      const before = tf.memory().numTensors;
      const hitsBefore = budgetHits();
      let ours: Grads;
      setSplitBudget(budget);
      try {
        ours = await readConv2dGrads(c, 7);
      } finally {
        setSplitBudget();
      }
      cases.push({
        name,
        budgetHits: budgetHits() - hitsBefore,
        outputError: relError(ours.y, reference.y),
        fusedOutputError: relError(ours.fusedY, reference.fusedY),
        biasError: relError(ours.dBias, reference.dBias),
        filterError: relError(ours.dw, reference.dw),
        otherInputFilterError: relError(ours.dwOtherInput, reference.dwOtherInput),
        inputError: relError(ours.dx, reference.dx),
        filterScale: maxAbs(reference.dw),
        tensorsLeaked: tf.memory().numTensors - before,
      });
    }
    const forwardCases: KernelCheckReply['forwardCases'] = [];
    for (const c of FORWARD_ONLY_CASES) {
      const forward = () => tf.tidy(() =>
        tf.conv2d(tf.tensor4d(randoms(size(c.x), 3), c.x), tf.tensor4d(randoms(size(c.w), 4), c.w), c.strides, c.pad));
      unregisterTrainingKernels(backend);
      const reference = forward();
      registerTrainingKernels(backend);
      const ours = forward();
      forwardCases.push({ name: c.name, outputError: relError(await ours.data() as Float32Array, await reference.data() as Float32Array) });
      tf.dispose([reference, ours]);
    }
    const inference = tf.tidy(() => tf.conv2d(tf.ones([2, 8, 8, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 2]) as tf.Tensor4D, 1, 'same'));
    await inference.data();
    inference.dispose();
    return { backend, available: true, note: await describeBackend(backend), cases, forwardCases, patchesKept: keptPatchCount() };
  },
};

Comlink.expose(api);
