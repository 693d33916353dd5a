/**
 * The compiled training step on tfjs-backend-webgpu's own device: the plan
 * (stepPlan.ts) made into pipelines, buffers and bind groups once per
 * (network, batch size); a step is then one small writeBuffer and one compute
 * pass re-encoded from that list, so the CPU spends microseconds per dispatch
 * instead of tfjs's per-op uniform packing, shader keys and bind groups.
 *
 * It relies on tfjs-backend-webgpu 4.22.0's internals (package.json pins that
 * version exactly); each one touched is marked "tfjs internal" below.
 */
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../../core/config/params';
import { networkLayers, type LayerSpec } from '../../../core/model/architecture';
import type { CompiledStep } from '../../../core/train/compiledStep';
import type { DeviceSplit } from '../../../core/train/deviceSplit';
import { PACKED_SPLIT_WIDTH, planStep, stepParams, type KernelSpec, type StepPlan } from './stepPlan';

/** tfjs internal: the parts of WebGPUBackend (tfjs-backend-webgpu/src/backend_webgpu.ts) used here. */
interface WebGpuBackendInternals {
  device: GPUDevice;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): { resource?: unknown; values?: unknown } | undefined };
}

function webgpuBackend(): WebGpuBackendInternals {
  if (tf.getBackend() !== 'webgpu') throw new Error(`the active backend is ${tf.getBackend()}, not webgpu`);
  const backend = tf.backend() as unknown as Partial<WebGpuBackendInternals>;
  if (!backend.device || typeof backend.submitQueue !== 'function' || typeof backend.uploadToGPU !== 'function' || !backend.tensorMap) {
    throw new Error('this tfjs-backend-webgpu does not have the internals the compiled step relies on');
  }
  return backend as WebGpuBackendInternals;
}

/**
 * tfjs internal: a tensor's own GPUBuffer, uploaded first if it lives on the
 * CPU. Binding it lets the step read the split and update the weights in place.
 */
function tensorBuffer(backend: WebGpuBackendInternals, tensor: tf.Tensor): GPUBuffer {
  backend.uploadToGPU(tensor.dataId);
  const resource = backend.tensorMap.get(tensor.dataId)?.resource;
  if (typeof (resource as GPUBuffer | undefined)?.getMappedRange !== 'function') throw new Error('a tensor the step binds is not in a GPU buffer');
  return resource as GPUBuffer;
}

/**
 * The model's variable for one weight of the plan. tfjs-layers scopes the
 * names ("conv1/kernel") and adds "_1" to a repeated one: the original name is stable.
 */
export function weightVariable(model: tf.LayersModel, layer: string, role: 'kernel' | 'bias'): tf.Tensor {
  const found = model.getLayer(layer).trainableWeights.find((w) => w.originalName.endsWith(`/${role}`));
  if (!found) throw new Error(`${layer} has no ${role} weight`);
  return found.read();
}

const USAGE_STORAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * Errors while making something on the GPU (a shader the device rejects, a
 * buffer it has no memory for) as one sentence; what was made despite them
 * goes to `discard`.
 */
async function withErrorScopes<T>(device: GPUDevice, what: string, make: () => Promise<T>, discard: (value: T) => void): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const made = await make().then((value) => ({ value }), (error: unknown) => ({ error }));
  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  const scoped = memory ?? validation;
  if (scoped) {
    if ('value' in made) discard(made.value);
    throw new Error(`${what}: ${memory ? 'out of GPU memory' : scoped.message.split('\n')[0]}`);
  }
  if ('error' in made) throw made.error instanceof Error ? new Error(`${what}: ${made.error.message.split('\n')[0]}`) : made.error;
  return made.value;
}

function layoutFor(device: GPUDevice, kernel: KernelSpec): GPUBindGroupLayout {
  return device.createBindGroupLayout({
    entries: kernel.bindings.map(({ access }, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type: access === 'uniform' ? 'uniform' : access === 'read' ? 'read-only-storage' : 'storage' },
    })),
  });
}

class WebGpuCompiledStep implements CompiledStep {
  readonly dispatchesPerStep: number;
  private readonly own = new Map<string, GPUBuffer>();
  private readonly staging: GPUBuffer;
  private bindGroups: GPUBindGroup[] = [];
  private split: DeviceSplit | null = null;
  private order: GPUBuffer | null = null;
  private orderLength = 0;
  /** The variables as bound: a tfjs assign() swaps a variable's data, and then the bind groups are rebuilt. */
  private bound: { tensor: tf.Tensor; dataId: object }[] = [];
  private steps = 0;

  constructor(
    private readonly backend: WebGpuBackendInternals,
    private readonly plan: StepPlan,
    private readonly pipelines: { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }[],
    private readonly model: tf.LayersModel,
    private readonly optimizer: Config['optimizer'],
  ) {
    const { device } = backend;
    this.dispatchesPerStep = plan.kernels.length;
    for (const spec of plan.buffers) {
      if (spec.owner !== 'step' || spec.floats === null) continue;
      const usage = spec.name === 'params' ? GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST : USAGE_STORAGE();
      // New buffers are zeroed: the optimizer's state starts at zero, as tfjs's does.
      this.own.set(spec.name, device.createBuffer({ size: Math.max(16, spec.floats * 4), usage, label: `lenet ${spec.name}` }));
    }
    this.staging = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'lenet sums read-back' });
  }

  useSplit(split: DeviceSplit): void {
    if (split.pixelsPerValue !== 3 || split.packed.shape[1] !== PACKED_SPLIT_WIDTH) {
      throw new Error('the compiled step reads splits packed three pixels per value');
    }
    this.split = split;
    this.order?.destroy();
    this.orderLength = split.count;
    this.order = this.backend.device.createBuffer({ size: Math.max(16, split.count * 4), usage: USAGE_STORAGE(), label: 'lenet order' });
    this.bindAll();
  }

  private bindAll(): void {
    const { backend, plan, split } = this;
    if (!split || !this.order) throw new Error('the compiled step has no split');
    const buffers = new Map<string, GPUBuffer>(this.own);
    buffers.set('data', tensorBuffer(backend, split.packed));
    buffers.set('labels', tensorBuffer(backend, split.labels));
    buffers.set('order', this.order);
    this.bound = plan.weights.map((w) => {
      const tensor = weightVariable(this.model, w.layer, w.role);
      if (tensor.shape.join() !== w.shape.join()) throw new Error(`${w.layer} ${w.role}: shape ${tensor.shape} is not the planned ${w.shape}`);
      buffers.set(w.buffer, tensorBuffer(backend, tensor));
      return { tensor, dataId: tensor.dataId };
    });
    this.bindGroups = plan.kernels.map((kernel, index) => backend.device.createBindGroup({
      label: `lenet ${kernel.name}`,
      layout: this.pipelines[index].layout,
      entries: kernel.bindings.map(({ buffer }, binding) => {
        const resource = buffers.get(buffer);
        if (!resource) throw new Error(`compiled step: no buffer for ${buffer}`);
        return { binding, resource: { buffer: resource } };
      }),
    }));
  }

  startEpoch(order: Int32Array): void {
    if (!this.order || order.length !== this.orderLength) throw new Error('the epoch order does not match the split');
    const { queue } = this.backend.device;
    queue.writeBuffer(this.order, 0, order);
    queue.writeBuffer(this.own.get('sums')!, 0, new Float32Array(4));
  }

  step(start: number, size: number): void {
    const { backend } = this;
    if (this.bound.some((b) => b.tensor.dataId !== b.dataId)) this.bindAll();
    // tfjs internal: tfjs records its ops into a shared encoder and submits
    // later; submit what it holds first, so queue order is program order.
    if (backend.commandEncoder) {
      backend.endComputePassEncoder();
      backend.submitQueue();
    }
    const { device } = backend;
    this.steps += 1;
    device.queue.writeBuffer(this.own.get('params')!, 0, stepParams(start, size, this.steps, this.optimizer));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const { kernels } = this.plan;
    for (let k = 0; k < kernels.length; k++) {
      pass.setPipeline(this.pipelines[k].pipeline);
      pass.setBindGroup(0, this.bindGroups[k]);
      pass.dispatchWorkgroups(kernels[k].workgroups[0], kernels[k].workgroups[1]);
    }
    pass.end();
    device.queue.submit([encoder.finish()]);
    // tfjs internal: a read caches the values on the CPU (tensorData.values)
    // and later reads return them; the weights just changed on the GPU.
    for (const { dataId } of this.bound) {
      const data = backend.tensorMap.get(dataId);
      if (data) data.values = null;
    }
  }

  async readSums(): Promise<[number, number, number]> {
    const { device } = this.backend;
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.own.get('sums')!, 0, this.staging, 0, 16);
    device.queue.submit([encoder.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ);
    const sums = new Float32Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    return [sums[0], sums[1], sums[2]];
  }

  dispose(): void {
    for (const buffer of this.own.values()) buffer.destroy();
    this.own.clear();
    this.order?.destroy();
    this.order = null;
    this.staging.destroy();
    this.bindGroups = [];
    this.bound = [];
  }
}

/**
 * Builds the step for `model` (built from `config`) at the config's batch
 * size on the running WebGPU backend: every pipeline is compiled here, so a
 * shader the device rejects or a lack of memory shows now, as an error, and
 * the caller falls back to tfjs's kernels.
 */
export async function compileTrainingStep(model: tf.LayersModel, config: Config, layers: LayerSpec[] = networkLayers(config)): Promise<CompiledStep> {
  const backend = webgpuBackend();
  const { device } = backend;
  const plan = planStep({ layers, batch: config.batch, optimizer: config.optimizer, lr: config.lr, splitWidth: PACKED_SPLIT_WIDTH });
  const limit = device.limits.maxStorageBufferBindingSize;
  const largest = plan.buffers.reduce((most, b) => Math.max(most, (b.floats ?? 0) * 4), 0);
  if (largest > limit) throw new Error(`a buffer of ${largest} bytes is over this GPU's binding limit of ${limit}`);
  const storage = Math.max(...plan.kernels.map((k) => k.bindings.filter((b) => b.access !== 'uniform').length));
  if (storage > device.limits.maxStorageBuffersPerShaderStage) {
    throw new Error(`a kernel binds ${storage} storage buffers; this device allows ${device.limits.maxStorageBuffersPerShaderStage}`);
  }
  // The step's own buffers are made in the same error scopes as the pipelines: a lack of memory shows here too.
  return withErrorScopes(device, 'building the compiled step', async () => {
    const pipelines = await Promise.all(plan.kernels.map(async (kernel) => {
      const layout = layoutFor(device, kernel);
      const pipeline = await device.createComputePipelineAsync({
        label: `lenet ${kernel.name}`,
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ code: kernel.code, label: `lenet ${kernel.name}` }), entryPoint: 'main' },
      });
      return { pipeline, layout };
    }));
    return new WebGpuCompiledStep(backend, plan, pipelines, model, config.optimizer);
  }, (step) => step.dispose());
}
