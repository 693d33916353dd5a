/**
 * The compiled WebGPU training step as data: which WGSL kernels run, in which
 * order, on which buffers, with how many workgroups. Pure: no GPU, no tfjs, so
 * Node tests can check the plan (kernel count, bindings per kernel) and the
 * GPU code (compiledStep.ts) only turns it into pipelines and bind groups.
 *
 * Why hand-written kernels: a tfjs step is ~180 kernel calls and ~100 GPU
 * dispatches, each packing uniforms, building a shader key and a bind group on
 * the CPU: 7 ms per step whatever the GPU (Dawn's null backend, batch 256).
 * Here every shape is a WGSL constant, every bind group is built once, and a
 * step is one compute pass of about 2 dispatches per layer.
 *
 * Layout: activations NHWC as tfjs keeps them (a flatten is free), conv
 * kernels [k, k, in, out], dense kernels [in, out]: the model's own variables
 * are bound and updated in place. Rows past the step's `size` (the last, short
 * batch) get a zero output gradient, so they add nothing to any weight.
 */
import type { ActivationName, OptimizerName } from '../../../core/config/params';
import type { LayerSpec } from '../../../core/model/architecture';
import { IMAGE_PIXELS, IMAGE_SIZE, NUM_CLASSES } from '../../../core/model/architecture';

/** Threads per workgroup for one-output-per-thread kernels and for the reductions. */
const THREADS = 64;
/** WebGPU's guaranteed maxComputeWorkgroupsPerDimension. */
const MAX_GROUPS_PER_DIMENSION = 65_535;
/** The loss kernel is one workgroup: the batch's sums end in one place without atomics. */
const LOSS_THREADS = 256;
/**
 * Threads per convolution weight in its gradient's reduction: the first layer
 * has only 156 weights, each a sum over batch × 784 positions.
 */
const REDUCE_THREADS = 256;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
/** tfjs's Adam epsilon on a float32 backend (KernelBackend.epsilon()). */
const ADAM_EPSILON = 1e-7;
const MOMENTUM = 0.9;

export type BufferAccess = 'read' | 'read_write' | 'uniform';

/**
 * A buffer the step binds. `floats`: its size in 4-byte words, null where the
 * owner sizes it (the split's data, labels and order are bound per run).
 * `owner`: 'step' buffers are created by the step; 'split' ones are the
 * training split's tfjs tensors and the shuffled order; 'model' ones are the
 * tfjs variables.
 */
export interface BufferSpec {
  name: string;
  owner: 'step' | 'split' | 'model';
  floats: number | null;
}

export interface KernelSpec {
  name: string;
  code: string;
  /** Binding i of group 0 is bindings[i]. */
  bindings: { buffer: string; access: BufferAccess }[];
  workgroups: [number, number];
}

/** A weight tensor of the model, by layer name and role, as the plan binds it. */
export interface WeightSpec {
  buffer: string;
  layer: string;
  role: 'kernel' | 'bias';
  shape: number[];
}

export interface StepPlan {
  buffers: BufferSpec[];
  weights: WeightSpec[];
  kernels: KernelSpec[];
  batch: number;
}

export interface PlanOptions {
  layers: LayerSpec[];
  batch: number;
  optimizer: OptimizerName;
  lr: number;
  /** Values per image row of the packed split (deviceSplit.ts: three 8-bit pixels per float32, planar). */
  splitWidth: number;
}

/** The uniform every step writes: where its batch starts in the order, how many rows, Adam's corrections. */
export const PARAMS_STRUCT = 'struct Params { offset: u32, size: u32, c1: f32, c2: f32 }';
export const PARAMS_BYTES = 16;

/** Per step: [offset, size] as u32 and Adam's 1/(1-β1^t), 1/(1-β2^t) as f32 (1 for the other optimizers). */
export function stepParams(offset: number, size: number, step: number, optimizer: OptimizerName): ArrayBuffer {
  const bytes = new ArrayBuffer(PARAMS_BYTES);
  const u = new Uint32Array(bytes);
  const f = new Float32Array(bytes);
  u[0] = offset;
  u[1] = size;
  f[2] = optimizer === 'adam' ? 1 / (1 - ADAM_BETA1 ** step) : 1;
  f[3] = optimizer === 'adam' ? 1 / (1 - ADAM_BETA2 ** step) : 1;
  return bytes;
}

/** Words of optimizer state per weight. */
function stateWords(optimizer: OptimizerName): number {
  return optimizer === 'adam' ? 2 : optimizer === 'momentum' ? 1 : 0;
}

/** Workgroups for `count` workgroups' worth of work, folded into 2-D past the per-dimension limit. */
export function groupsFor(count: number): [number, number] {
  const total = Math.max(1, count);
  const x = Math.min(total, MAX_GROUPS_PER_DIMENSION);
  return [x, Math.ceil(total / x)];
}

const f32 = (value: number): string => {
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
};

/** Output of the activation, written so a NaN passes through (divergence must show in the loss). */
function activate(activation: ActivationName | null, x: string): string {
  switch (activation) {
    case null:
      return x;
    case 'relu':
      return `select(${x}, 0.0, ${x} < 0.0)`;
    case 'sigmoid':
      return `1.0 / (1.0 + exp(-${x}))`;
    case 'tanh':
      // exp of a large argument is inf, and inf/inf NaN: tfjs's stable form.
      return `sign(${x}) * (1.0 - exp(-2.0 * abs(${x}))) / (1.0 + exp(-2.0 * abs(${x})))`;
  }
}

/** The activation's derivative from its output y, as tfjs's gradients compute it. */
function derivative(activation: ActivationName | null, y: string): string {
  switch (activation) {
    case null:
      return '1.0';
    case 'relu':
      return `select(0.0, 1.0, ${y} > 0.0)`;
    case 'sigmoid':
      return `${y} * (1.0 - ${y})`;
    case 'tanh':
      return `(1.0 - ${y} * ${y})`;
  }
}

function bindingCode(bindings: KernelSpec['bindings'], types: Record<string, string>): string {
  return bindings.map(({ buffer, access }, i) => {
    const name = varName(buffer);
    if (access === 'uniform') return `@group(0) @binding(${i}) var<uniform> ${name}: Params;`;
    return `@group(0) @binding(${i}) var<storage, ${access}> ${name}: array<${types[buffer] ?? 'f32'}>;`;
  }).join('\n');
}

/** A WGSL identifier for a buffer name such as "act:conv1". */
function varName(buffer: string): string {
  return buffer.replace(/[^A-Za-z0-9]/g, '_');
}

const entry = (threads: number) => `@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {`;
const ENTRY = entry(THREADS);
/** The flat workgroup index and this thread's flat index. */
const INDEX = `  let i = (wid.y * nwg.x + wid.x) * ${THREADS}u + lid;`;

/** Where a layer's input comes from and which activation produced it. */
interface Source {
  /** Buffer of its values; 'data' for the images themselves. */
  buffer: string;
  /** NHWC size of one image's values: [height, width, channels]; [1, 1, n] after a flatten. */
  shape: [number, number, number];
  /** The activation that produced these values (its derivative applies to their gradient); null after a pool or for data. */
  activation: ActivationName | null;
  /** Buffer the layer writes the gradient of these values to; null for the images. */
  grad: string | null;
}

/** The images' pixel p of row b, from the packed split through the epoch's order, in [0, 1]. */
function pixelFunction(splitWidth: number): string {
  return `fn pixel(b: i32, y: i32, x: i32) -> f32 {
  let row = u32(order[params.offset + u32(b)]);
  let q = u32(y * ${IMAGE_SIZE} + x);
  let packed = u32(data[row * ${splitWidth}u + q % ${splitWidth}u]);
  return f32((packed >> (8u * (q / ${splitWidth}u))) & 255u) / 255.0;
}`;
}

/** The update of weight `index` of `target` with gradient g, state at `stateBase + index` (and + count for Adam's second moment). */
function updateCode(optimizer: OptimizerName, lr: number, target: string, index: string, state: string, stateBase: string, count: number): string {
  const w = `${target}[${index}]`;
  switch (optimizer) {
    case 'sgd':
      return `${w} = ${w} - ${f32(lr)} * g;`;
    case 'momentum':
      return `let v = ${f32(MOMENTUM)} * ${state}[${stateBase} + ${index}] + g;
    ${state}[${stateBase} + ${index}] = v;
    ${w} = ${w} - ${f32(lr)} * v;`;
    case 'adam':
      return `let m = ${f32(ADAM_BETA1)} * ${state}[${stateBase} + ${index}] + ${f32(1 - ADAM_BETA1)} * g;
    let s = ${f32(ADAM_BETA2)} * ${state}[${stateBase} + ${count}u + ${index}] + ${f32(1 - ADAM_BETA2)} * g * g;
    ${state}[${stateBase} + ${index}] = m;
    ${state}[${stateBase} + ${count}u + ${index}] = s;
    ${w} = ${w} - ${f32(lr)} * (m * params.c1) / (sqrt(s * params.c2) + ${f32(ADAM_EPSILON)});`;
  }
}

/**
 * The step for `layers` (conv / pool / flatten / dense, the last a dense
 * emitting logits) at batch size `batch`. Throws when the list is not one the
 * playground builds; callers check coverage first (compiledStepProblem).
 */
export function planStep(options: PlanOptions): StepPlan {
  const { layers, batch: B, optimizer, lr, splitWidth } = options;
  const buffers: BufferSpec[] = [
    { name: 'data', owner: 'split', floats: null },
    { name: 'labels', owner: 'split', floats: null },
    { name: 'order', owner: 'split', floats: null },
    { name: 'params', owner: 'step', floats: PARAMS_BYTES / 4 },
    { name: 'sums', owner: 'step', floats: 4 },
  ];
  const weights: WeightSpec[] = [];
  const forward: KernelSpec[] = [];
  const backward: KernelSpec[] = [];
  const types: Record<string, string> = { order: 'i32', labels: 'i32' };
  const words = stateWords(optimizer);
  const addBuffer = (name: string, floats: number) => buffers.push({ name, owner: 'step', floats });

  let source: Source = { buffer: 'data', shape: [IMAGE_SIZE, IMAGE_SIZE, 1], activation: null, grad: null };
  const last = layers[layers.length - 1];
  if (!last || last.kind !== 'dense' || last.activation !== null || last.units !== NUM_CLASSES) {
    throw new Error('compiled step: the last layer must be the 10-unit dense layer that emits logits');
  }

  /** Reads one input value of row b at (y, x, c) for a conv or pool over `source`. */
  const inputAt = (src: Source, b: string, y: string, x: string, c: string): string => {
    const [H, W, C] = src.shape;
    return src.buffer === 'data' ? `pixel(${b}, ${y}, ${x})` : `${varName(src.buffer)}[u32(((${b} * ${H} + ${y}) * ${W} + ${x}) * ${C} + ${c})]`;
  };
  const storageInputs = (src: Source): KernelSpec['bindings'] => (src.buffer === 'data'
    ? [{ buffer: 'data', access: 'read' }, { buffer: 'order', access: 'read' }]
    : [{ buffer: src.buffer, access: 'read' }]);
  const preamble = (src: Source): string => (src.buffer === 'data' ? pixelFunction(splitWidth) : '');
  const kernel = (name: string, bindings: KernelSpec['bindings'], body: string, groups: [number, number], extra = ''): KernelSpec => ({
    name, bindings, workgroups: groups,
    code: `${PARAMS_STRUCT}\n${bindingCode(bindings, types)}\n${extra}\n${body}\n`,
  });

  for (const spec of layers) {
    if (spec.kind === 'flatten') {
      const [H, W, C] = source.shape;
      source = { ...source, shape: [1, 1, H * W * C] };
      continue;
    }
    const [H, W, C] = source.shape;
    if (spec.kind === 'conv') {
      const { filters: CO, kernel: K, stride: S, padding: P } = spec;
      const OH = Math.floor((H + 2 * P - K) / S) + 1;
      const OW = Math.floor((W + 2 * P - K) / S) + 1;
      const out = `act:${spec.name}`;
      const grad = `grad:${spec.name}`;
      const kernelBuffer = `kernel:${spec.name}`;
      const biasBuffer = spec.bias ? `bias:${spec.name}` : null;
      const stateBuffer = `state:${spec.name}`;
      addBuffer(out, B * OH * OW * CO);
      addBuffer(grad, B * OH * OW * CO);
      buffers.push({ name: kernelBuffer, owner: 'model', floats: K * K * C * CO });
      weights.push({ buffer: kernelBuffer, layer: spec.name, role: 'kernel', shape: [K, K, C, CO] });
      if (biasBuffer) {
        buffers.push({ name: biasBuffer, owner: 'model', floats: CO });
        weights.push({ buffer: biasBuffer, layer: spec.name, role: 'bias', shape: [CO] });
      }
      const nW = K * K * C * CO;
      const nB = biasBuffer ? CO : 0;
      if (words) addBuffer(stateBuffer, words * (nW + nB));
      const o = varName(out);
      const k = varName(kernelBuffer);
      const bias = biasBuffer ? varName(biasBuffer) : null;

      // Forward: one thread per output value.
      const n = B * OH * OW * CO;
      forward.push(kernel(`${spec.name} forward`, [
        ...storageInputs(source),
        { buffer: kernelBuffer, access: 'read' },
        ...(biasBuffer ? [{ buffer: biasBuffer, access: 'read' as const }] : []),
        { buffer: out, access: 'read_write' },
        { buffer: 'params', access: 'uniform' },
      ], `${ENTRY}
${INDEX}
  if (i >= ${n}u) { return; }
  let co = i32(i % ${CO}u);
  var t = i / ${CO}u;
  let ox = i32(t % ${OW}u); t = t / ${OW}u;
  let oy = i32(t % ${OH}u);
  let b = i32(t / ${OH}u);
  var acc = ${bias ? `${bias}[co]` : '0.0'};
  if (u32(b) < params.size) {
    for (var ky = 0; ky < ${K}; ky++) {
      let y = oy * ${S} + ky - ${P};
      if (y < 0 || y >= ${H}) { continue; }
      for (var kx = 0; kx < ${K}; kx++) {
        let x = ox * ${S} + kx - ${P};
        if (x < 0 || x >= ${W}) { continue; }
        for (var ci = 0; ci < ${C}; ci++) {
          acc += ${inputAt(source, 'b', 'y', 'x', 'ci')} * ${k}[u32(((ky * ${K} + kx) * ${C} + ci) * ${CO} + co)];
        }
      }
    }
  }
  let z = acc;
  ${o}[i] = ${activate(spec.activation, 'z')};
}`, groupsFor(Math.ceil(n / THREADS)), preamble(source)));

      // Backward, run in reverse layer order: input gradient first (it reads the kernel before the update).
      const layerBackward: KernelSpec[] = [];
      if (source.grad) {
        const nIn = B * H * W * C;
        const g = varName(grad);
        layerBackward.push(kernel(`${spec.name} input gradient`, [
          { buffer: grad, access: 'read' },
          { buffer: kernelBuffer, access: 'read' },
          { buffer: source.buffer, access: 'read' },
          { buffer: source.grad, access: 'read_write' },
          { buffer: 'params', access: 'uniform' },
        ], `${ENTRY}
${INDEX}
  if (i >= ${nIn}u) { return; }
  let ci = i32(i % ${C}u);
  var t = i / ${C}u;
  let x = i32(t % ${W}u); t = t / ${W}u;
  let y = i32(t % ${H}u);
  let b = i32(t / ${H}u);
  var acc = 0.0;
  if (u32(b) < params.size) {
    for (var ky = 0; ky < ${K}; ky++) {
      let ty = y + ${P} - ky;
      if (ty < 0 || ty % ${S} != 0 || ty / ${S} >= ${OH}) { continue; }
      let oy = ty / ${S};
      for (var kx = 0; kx < ${K}; kx++) {
        let tx = x + ${P} - kx;
        if (tx < 0 || tx % ${S} != 0 || tx / ${S} >= ${OW}) { continue; }
        let ox = tx / ${S};
        let base = u32(((b * ${OH} + oy) * ${OW} + ox) * ${CO});
        let w = u32(((ky * ${K} + kx) * ${C} + ci) * ${CO});
        for (var co = 0u; co < ${CO}u; co++) {
          acc += ${g}[base + co] * ${k}[w + co];
        }
      }
    }
  }
  let yv = ${varName(source.buffer)}[i];
  ${varName(source.grad)}[i] = acc * ${derivative(source.activation, 'yv')};
}`, groupsFor(Math.ceil(nIn / THREADS))));
      }
      // Weight gradient and update: one workgroup per weight (and per bias), reducing over the batch's positions.
      const positions = OH * OW;
      layerBackward.push(kernel(`${spec.name} update`, [
        ...storageInputs(source),
        { buffer: grad, access: 'read' },
        { buffer: kernelBuffer, access: 'read_write' },
        ...(biasBuffer ? [{ buffer: biasBuffer, access: 'read_write' as const }] : []),
        ...(words ? [{ buffer: stateBuffer, access: 'read_write' as const }] : []),
        { buffer: 'params', access: 'uniform' },
      ], `var<workgroup> partial: array<f32, ${REDUCE_THREADS}>;
${entry(REDUCE_THREADS)}
  let w = wid.y * nwg.x + wid.x;
  if (w >= ${nW + nB}u) { return; }
  let isBias = w >= ${nW}u;
  let co = select(w % ${CO}u, w - ${nW}u, isBias);
  let rest = w / ${CO}u;
  let ci = i32(rest % ${C}u);
  let kx = i32((rest / ${C}u) % ${K}u);
  let ky = i32(rest / ${C * K}u);
  var acc = 0.0;
  let total = params.size * ${positions}u;
  for (var m = lid; m < total; m += ${REDUCE_THREADS}u) {
    let d = ${varName(grad)}[m * ${CO}u + co];
    if (isBias) { acc += d; continue; }
    let b = i32(m / ${positions}u);
    let p = m % ${positions}u;
    let y = i32(p / ${OW}u) * ${S} + ky - ${P};
    let x = i32(p % ${OW}u) * ${S} + kx - ${P};
    if (y < 0 || y >= ${H} || x < 0 || x >= ${W}) { continue; }
    acc += ${inputAt(source, 'b', 'y', 'x', 'ci')} * d;
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var half = ${REDUCE_THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { partial[lid] += partial[lid + half]; }
    workgroupBarrier();
  }
  if (lid != 0u) { return; }
  let g = partial[0];
  if (isBias) {
    ${biasBuffer ? updateCode(optimizer, lr, varName(biasBuffer), 'co', varName(stateBuffer), `${words * nW}u`, nB) : ''}
  } else {
    ${updateCode(optimizer, lr, k, 'w', varName(stateBuffer), '0u', nW)}
  }
}`, groupsFor(nW + nB), preamble(source)));
      backward.unshift(...layerBackward);
      source = { buffer: out, shape: [OH, OW, CO], activation: spec.activation, grad };
      continue;
    }
    if (spec.kind === 'pool') {
      const { window: K, stride: S, padding: P } = spec;
      const OH = Math.floor((H + 2 * P - K) / S) + 1;
      const OW = Math.floor((W + 2 * P - K) / S) + 1;
      const out = `act:${spec.name}`;
      const grad = `grad:${spec.name}`;
      addBuffer(out, B * OH * OW * C);
      addBuffer(grad, B * OH * OW * C);
      if (!source.grad || source.buffer === 'data') throw new Error('compiled step: a pool must follow a convolution');
      const input = varName(source.buffer);
      const isMax = spec.type === 'max';
      // Padding is zeros that take part (tfjs pads with a zero-padding layer); avg divides by the whole window.
      const valueAt = (y: string, x: string) => `select(0.0, ${input}[u32(((b * ${H} + ${y}) * ${W} + ${x}) * ${C} + c)], ${y} >= 0 && ${y} < ${H} && ${x} >= 0 && ${x} < ${W})`;
      const n = B * OH * OW * C;
      forward.push(kernel(`${spec.name} forward`, [
        { buffer: source.buffer, access: 'read' },
        { buffer: out, access: 'read_write' },
      ], `${ENTRY}
${INDEX}
  if (i >= ${n}u) { return; }
  let c = i32(i % ${C}u);
  var t = i / ${C}u;
  let px = i32(t % ${OW}u); t = t / ${OW}u;
  let py = i32(t % ${OH}u);
  let b = i32(t / ${OH}u);
  var acc = ${isMax ? '-3.4e38' : '0.0'};
  for (var wy = 0; wy < ${K}; wy++) {
    let y = py * ${S} + wy - ${P};
    for (var wx = 0; wx < ${K}; wx++) {
      let x = px * ${S} + wx - ${P};
      let v = ${valueAt('y', 'x')};
      ${isMax ? 'if (v > acc) { acc = v; }' : 'acc += v;'}
    }
  }
  ${varName(out)}[i] = ${isMax ? 'acc' : `acc / ${f32(K * K)}`};
}`, groupsFor(Math.ceil(n / THREADS))));

      // Backward: each input value sums the gradient of the windows it is in
      // (max: only where it is the window's first maximum, as tfjs picks it).
      const nIn = B * H * W * C;
      const g = varName(grad);
      backward.unshift(kernel(`${spec.name} input gradient`, [
        { buffer: grad, access: 'read' },
        { buffer: source.buffer, access: 'read' },
        { buffer: source.grad, access: 'read_write' },
      ], `${ENTRY}
${INDEX}
  if (i >= ${nIn}u) { return; }
  let c = i32(i % ${C}u);
  var t = i / ${C}u;
  let x = i32(t % ${W}u); t = t / ${W}u;
  let y = i32(t % ${H}u);
  let b = i32(t / ${H}u);
  let yFirst = max(0, (y + ${P} - ${K} + ${S}) / ${S});
  let yLast = min(${OH - 1}, (y + ${P}) / ${S});
  let xFirst = max(0, (x + ${P} - ${K} + ${S}) / ${S});
  let xLast = min(${OW - 1}, (x + ${P}) / ${S});
  var acc = 0.0;
  for (var py = yFirst; py <= yLast; py++) {
    for (var px = xFirst; px <= xLast; px++) {
      let d = ${g}[u32(((b * ${OH} + py) * ${OW} + px) * ${C} + c)];
${isMax ? `      var best = -3.4e38;
      var at = -1;
      for (var wy = 0; wy < ${K}; wy++) {
        let yy = py * ${S} + wy - ${P};
        for (var wx = 0; wx < ${K}; wx++) {
          let xx = px * ${S} + wx - ${P};
          let v = ${valueAt('yy', 'xx')};
          if (v > best) { best = v; at = (yy + ${P}) * ${W + 2 * P} + xx + ${P}; }
        }
      }
      if (at == (y + ${P}) * ${W + 2 * P} + x + ${P}) { acc += d; }` : `      acc += d;`}
    }
  }
  let yv = ${input}[i];
  ${varName(source.grad)}[i] = ${isMax ? 'acc' : `acc / ${f32(K * K)}`} * ${derivative(source.activation, 'yv')};
}`, groupsFor(Math.ceil(nIn / THREADS))));
      source = { buffer: out, shape: [OH, OW, C], activation: null, grad };
      continue;
    }

    // Dense: [in, out] kernel over the flattened input.
    const IN = H * W * C;
    const OUT = spec.units;
    const isOutput = spec === last;
    const out = `act:${spec.name}`;
    const grad = `grad:${spec.name}`;
    const kernelBuffer = `kernel:${spec.name}`;
    const biasBuffer = `bias:${spec.name}`;
    const stateBuffer = `state:${spec.name}`;
    addBuffer(out, B * OUT);
    addBuffer(grad, B * OUT);
    buffers.push({ name: kernelBuffer, owner: 'model', floats: IN * OUT }, { name: biasBuffer, owner: 'model', floats: OUT });
    weights.push(
      { buffer: kernelBuffer, layer: spec.name, role: 'kernel', shape: [IN, OUT] },
      { buffer: biasBuffer, layer: spec.name, role: 'bias', shape: [OUT] },
    );
    const nW = IN * OUT;
    if (words) addBuffer(stateBuffer, words * (nW + OUT));
    if (source.buffer === 'data' || !source.grad) throw new Error('compiled step: a dense layer must follow a convolution');
    const input = varName(source.buffer);
    const k = varName(kernelBuffer);
    const bias = varName(biasBuffer);
    const g = varName(grad);

    if (!isOutput) {
      const n = B * OUT;
      forward.push(kernel(`${spec.name} forward`, [
        { buffer: source.buffer, access: 'read' },
        { buffer: kernelBuffer, access: 'read' },
        { buffer: biasBuffer, access: 'read' },
        { buffer: out, access: 'read_write' },
      ], `${ENTRY}
${INDEX}
  if (i >= ${n}u) { return; }
  let j = i % ${OUT}u;
  let base = (i / ${OUT}u) * ${IN}u;
  var acc = ${bias}[j];
  for (var k = 0u; k < ${IN}u; k++) {
    acc += ${input}[base + k] * ${k}[k * ${OUT}u + j];
  }
  let z = acc;
  ${varName(out)}[i] = ${activate(spec.activation, 'z')};
}`, groupsFor(Math.ceil(n / THREADS))));
    } else {
      // The logits, softmax cross-entropy, its gradient and the batch's sums,
      // in one workgroup: [loss × rows, correct rows, 1 if the loss is not finite].
      forward.push({
        name: `${spec.name} forward and loss`,
        bindings: [
          { buffer: source.buffer, access: 'read' },
          { buffer: kernelBuffer, access: 'read' },
          { buffer: biasBuffer, access: 'read' },
          { buffer: 'labels', access: 'read' },
          { buffer: 'order', access: 'read' },
          { buffer: grad, access: 'read_write' },
          { buffer: 'sums', access: 'read_write' },
          { buffer: 'params', access: 'uniform' },
        ],
        workgroups: [1, 1],
        code: '',
      });
      const lossKernel = forward[forward.length - 1];
      lossKernel.code = `${PARAMS_STRUCT}
${bindingCode(lossKernel.bindings, types)}
var<workgroup> lossPart: array<f32, ${LOSS_THREADS}>;
var<workgroup> correctPart: array<f32, ${LOSS_THREADS}>;
@compute @workgroup_size(${LOSS_THREADS})
fn main(@builtin(local_invocation_index) lid: u32) {
  var lossSum = 0.0;
  var correct = 0.0;
  let scale = 1.0 / f32(params.size);
  for (var r = lid; r < ${B}u; r += ${LOSS_THREADS}u) {
    if (r >= params.size) {
      for (var j = 0u; j < ${OUT}u; j++) { ${g}[r * ${OUT}u + j] = 0.0; }
      continue;
    }
    var logits: array<f32, ${OUT}>;
    var top = 0u;
    for (var j = 0u; j < ${OUT}u; j++) {
      var acc = ${bias}[j];
      for (var k = 0u; k < ${IN}u; k++) {
        acc += ${input}[r * ${IN}u + k] * ${k}[k * ${OUT}u + j];
      }
      logits[j] = acc;
      if (acc > logits[top]) { top = j; }
    }
    var peak = logits[0];
    for (var j = 1u; j < ${OUT}u; j++) { peak = max(peak, logits[j]); }
    var total = 0.0;
    for (var j = 0u; j < ${OUT}u; j++) { total += exp(logits[j] - peak); }
    let label = u32(labels[u32(order[params.offset + r])]);
    lossSum += log(total) + peak - logits[label];
    if (top == label) { correct += 1.0; }
    for (var j = 0u; j < ${OUT}u; j++) {
      let p = exp(logits[j] - peak) / total;
      ${g}[r * ${OUT}u + j] = (p - select(0.0, 1.0, j == label)) * scale;
    }
  }
  lossPart[lid] = lossSum;
  correctPart[lid] = correct;
  workgroupBarrier();
  for (var half = ${LOSS_THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) {
      lossPart[lid] += lossPart[lid + half];
      correctPart[lid] += correctPart[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let loss = lossPart[0];
    // By its bits: a compiler may assume floats are finite and fold x != x away.
    let notFinite = (bitcast<u32>(loss) & 0x7f800000u) == 0x7f800000u;
    sums[0] += loss;
    sums[1] += correctPart[0];
    sums[2] += select(0.0, 1.0, notFinite);
  }
}
`;
    }

    const layerBackward: KernelSpec[] = [];
    const nIn = B * IN;
    layerBackward.push(kernel(`${spec.name} input gradient`, [
      { buffer: grad, access: 'read' },
      { buffer: kernelBuffer, access: 'read' },
      { buffer: source.buffer, access: 'read' },
      { buffer: source.grad, access: 'read_write' },
    ], `${ENTRY}
${INDEX}
  if (i >= ${nIn}u) { return; }
  let k = i % ${IN}u;
  let base = (i / ${IN}u) * ${OUT}u;
  var acc = 0.0;
  for (var j = 0u; j < ${OUT}u; j++) {
    acc += ${g}[base + j] * ${varName(kernelBuffer)}[k * ${OUT}u + j];
  }
  let yv = ${input}[i];
  ${varName(source.grad)}[i] = acc * ${derivative(source.activation, 'yv')};
}`, groupsFor(Math.ceil(nIn / THREADS))));
    // One thread per weight and bias, each summing over the batch's rows.
    const nAll = nW + OUT;
    layerBackward.push(kernel(`${spec.name} update`, [
      { buffer: source.buffer, access: 'read' },
      { buffer: grad, access: 'read' },
      { buffer: kernelBuffer, access: 'read_write' },
      { buffer: biasBuffer, access: 'read_write' },
      ...(words ? [{ buffer: stateBuffer, access: 'read_write' as const }] : []),
      { buffer: 'params', access: 'uniform' },
    ], `${ENTRY}
${INDEX}
  if (i >= ${nAll}u) { return; }
  let isBias = i >= ${nW}u;
  let j = select(i % ${OUT}u, i - ${nW}u, isBias);
  let k = select(i / ${OUT}u, 0u, isBias);
  var g = 0.0;
  for (var b = 0u; b < params.size; b++) {
    let d = ${g}[b * ${OUT}u + j];
    g += select(${input}[b * ${IN}u + k] * d, d, isBias);
  }
  if (isBias) {
    ${updateCode(optimizer, lr, bias, 'j', varName(stateBuffer), `${words * nW}u`, OUT)}
  } else {
    ${updateCode(optimizer, lr, k, 'i', varName(stateBuffer), '0u', nW)}
  }
}`, groupsFor(Math.ceil(nAll / THREADS))));
    backward.unshift(...layerBackward);
    source = { buffer: out, shape: [1, 1, OUT], activation: spec.activation, grad };
  }
  return { buffers, weights, kernels: [...forward, ...backward], batch: B };
}

/** Values per packed image row on the GPU backends (deviceSplit.ts, three pixels per value). */
export const PACKED_SPLIT_WIDTH = Math.ceil(IMAGE_PIXELS / 3);
