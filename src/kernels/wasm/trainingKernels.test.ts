import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
} from './trainingKernels';
import {
  avgPoolGrads, CASES, caseNamed, conv2dGrads, GRAD_NAMES, maxAbs, onBackend, POOLS, randoms, relError, size, TOL, type Case,
} from '../shared/testValues';
import { configureSimdThreads } from './simd/simdModule';

/** dW with two of its axes swapped (same shape when the sizes agree). */
function swapAxes(dw: Float32Array, shape: readonly number[], a: number, b: number): Float32Array {
  const strides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];
  const out = new Float32Array(dw.length);
  const idx = [0, 0, 0, 0];
  for (idx[0] = 0; idx[0] < shape[0]; idx[0]++)
    for (idx[1] = 0; idx[1] < shape[1]; idx[1]++)
      for (idx[2] = 0; idx[2] < shape[2]; idx[2]++)
        for (idx[3] = 0; idx[3] < shape[3]; idx[3]++) {
          const j = [...idx];
          [j[a], j[b]] = [j[b], j[a]];
          const src = idx.reduce((s, v, k) => s + v * strides[k], 0);
          const dst = j.reduce((s, v, k) => s + v * strides[k], 0);
          out[dst] = dw[src];
        }
  return out;
}

describe('wasm training kernels', () => {
  beforeAll(async () => {
    // Under Node the wasm backend finds its .wasm files next to its own
    // module; no setWasmPaths needed.
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels(); // idempotent
    expect(await tf.setBackend('wasm')).toBe(true);
  });

  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('registers the kernels for wasm only', () => {
    expect(wasmTrainingKernelsRegistered()).toEqual({
      backpropFilter: true,
      backpropInput: true,
      batchMatMul: true,
      avgPoolGrad: true,
      gatherRows: true,
      convolution: true,
      identity: true,
      biasAdd: true,
      biasSum: true,
    });
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBeDefined();
  });

  it('gathers rows as the backend does, and leaves other gathers and bad indices to it', async () => {
    const cases: { shape: number[]; dtype: 'float32' | 'int32'; indices: number[] | number[][]; axis: number }[] = [
      { shape: [7, 3, 2], dtype: 'float32', indices: [6, 0, 0, 3], axis: 0 }, // rows: ours
      { shape: [5], dtype: 'int32', indices: [4, 1], axis: 0 }, // labels: ours
      { shape: [5, 4], dtype: 'float32', indices: [3, 1], axis: -2 }, // axis 0 written negatively: ours
      { shape: [5, 4], dtype: 'float32', indices: [3, 1, 0], axis: 1 }, // columns: the backend's
      { shape: [6, 2], dtype: 'float32', indices: [[1, 2], [5, 0]], axis: 0 }, // 2-D indices: the backend's
      { shape: [4, 3], dtype: 'float32', indices: [], axis: 0 }, // nothing picked
    ];
    for (const c of cases) {
      const values = Array.from({ length: c.shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 1.5 - 7);
      const gather = () => tf.tidy(() => {
        const x = tf.tensor(values, c.shape, c.dtype);
        const indices = tf.tensor(c.indices.flat(), Array.isArray(c.indices[0]) ? [2, 2] : [c.indices.length], 'int32');
        return tf.gather(x, indices, c.axis);
      });
      const ours = gather();
      await tf.setBackend('cpu');
      const expected = gather();
      expect(ours.shape, JSON.stringify(c)).toEqual(expected.shape);
      expect(Array.from(await ours.data()), JSON.stringify(c)).toEqual(Array.from(await expected.data()));
      tf.dispose([ours, expected]);
      await tf.setBackend('wasm');
    }
    const before = tf.memory().numTensors;
    expect(() => tf.tidy(() => tf.gather(tf.zeros([3, 2]), tf.tensor1d([0, 3], 'int32')))).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  describe.each(CASES)('conv2d gradients match cpu: $name', (c) => {
    it.each([
      ['default kernels', {}],
      ['simd filter gradient', { backpropFilter: 'simd' }],
      ['XNNPACK filter gradient (the convolution form where it applies)', { backpropFilter: 'xnnpack' }],
      ['im2col filter gradient, no depthwise', { backpropFilter: 'im2col', depthwiseForOneChannel: false }],
      ['XNNPACK convolutions and the backend\'s elementwise kernels', { convolution: false, identity: false, biasAdd: false, biasSum: false }],
    ] as const)('filter and input gradients, %s', async (_label, options) => {
      const ref = await onBackend('cpu', () => conv2dGrads(c, 7));
      registerWasmTrainingKernels(options);
      try {
        const got = await onBackend('wasm', () => conv2dGrads(c, 7));
        expect(got.dyShape).toEqual(ref.dyShape);
        expect(maxAbs(ref.dw)).toBeGreaterThan(0);
        for (const name of GRAD_NAMES) {
          expect(relError(got[name], ref[name]), name).toBeLessThan(TOL);
        }
      } finally {
        registerWasmTrainingKernels();
      }
    });
  });

  it('splits the work into as many parts as threads are configured, with the same results', async () => {
    // Under Node no helper worker starts: the parts run one after another here, through the same code;
    // any work is worth a part here, so the small cases split too.
    const cases = [CASES[0], CASES[1], caseNamed('kernel 7 same stride 2, 32 → 64 channels'), caseNamed('batch of 23, split into chunks')];
    try {
      for (const threads of [3, 8]) {
        configureSimdThreads(threads, 1);
        for (const c of cases) {
          const ref = await onBackend('cpu', () => conv2dGrads(c, 9));
          const got = await onBackend('wasm', () => conv2dGrads(c, 9));
          for (const name of GRAD_NAMES) expect(relError(got[name], ref[name]), `${threads} threads, ${c.name}: ${name}`).toBeLessThan(TOL);
        }
        const product = () => tf.tidy(() =>
          tf.matMul(tf.tensor2d(randoms(97 * 33, 7), [97, 33]), tf.tensor2d(randoms(33 * 21, 8), [21, 33]), false, true).dataSync() as Float32Array);
        expect(relError(await onBackend('wasm', product), await onBackend('cpu', product)), `${threads} threads, matMul`).toBeLessThan(TOL);
        const bias = () => tf.tidy(() => {
          const x = tf.tensor(randoms(3 * 1500 * 7, 5), [3, 1500, 7]);
          return [tf.add(x, tf.tensor1d(randoms(7, 6))), tf.sum(x, [0, 1])].map((t) => t.dataSync() as Float32Array);
        });
        const ref = await onBackend('cpu', bias);
        const got = await onBackend('wasm', bias);
        got.forEach((g, i) => expect(relError(g, ref[i]), `${threads} threads, bias ${i}`).toBeLessThan(TOL));
      }
    } finally {
      configureSimdThreads(1);
    }
  });

  it("the 'conv' filter method refuses what it cannot express instead of computing garbage", async () => {
    registerWasmTrainingKernels({ backpropFilter: 'conv' });
    try {
      await tf.setBackend('wasm');
      expect(() => conv2dGrads(CASES[5], 1)).toThrow(/cannot express/);
    } finally {
      registerWasmTrainingKernels();
    }
  });

  const MATMULS: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [7, 5], b: [7, 3], ta: true, tb: false }, // dense dW = xᵀ·dy
    { a: [7, 3], b: [5, 3], ta: false, tb: true }, // dense dx = dy·Wᵀ
    { a: [4, 6], b: [3, 4], ta: true, tb: true },
    { a: [1, 9, 2], b: [1, 9, 4], ta: true, tb: false },
    { a: [1, 1, 2, 9], b: [4, 9], ta: false, tb: true },
    { a: [2, 5, 3], b: [2, 4, 3], ta: false, tb: true }, // batched: the backend's own loop
    { a: [6, 4], b: [4, 5], ta: false, tb: false },
  ];

  it.each([
    ...MATMULS.filter((m) => m.a.length === 2 && m.b.length === 2),
    { a: [300, 70], b: [70, 13], ta: false, tb: false }, // a dense layer's forward: tiles of positions, 13 = 3 vectors + 1
    { a: [256, 400], b: [256, 120], ta: true, tb: false },
  ])('fused matMul with a bias and relu, a$a b$b transposeA $ta transposeB $tb, matches cpu', async ({ a, b, ta, tb }) => {
    const columns = tb ? b[0] : b[1];
    const run = (activation: 'relu' | 'linear') =>
      tf.tidy(() => {
        const y = tf.fused.matMul({
          a: tf.tensor2d(randoms(size(a), 1), a as [number, number]), b: tf.tensor2d(randoms(size(b), 2), b as [number, number]),
          transposeA: ta, transposeB: tb, bias: tf.tensor1d(randoms(columns, 3)), activation,
        });
        return y.dataSync() as Float32Array;
      });
    for (const activation of ['relu', 'linear'] as const) {
      const ref = await onBackend('cpu', () => run(activation));
      const got = await onBackend('wasm', () => run(activation));
      expect(relError(got, ref), activation).toBeLessThan(TOL);
    }
  });

  it.each(MATMULS)('matMul a$a b$b transposeA $ta transposeB $tb matches cpu', async ({ a, b, ta, tb }) => {
    const run = () =>
      tf.tidy(() => {
        const y = tf.matMul(tf.tensor(randoms(size(a), 1), a), tf.tensor(randoms(size(b), 2), b), ta, tb);
        return { shape: y.shape, values: y.dataSync() as Float32Array };
      });
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(got.shape).toEqual(ref.shape);
    expect(relError(got.values, ref.values)).toBeLessThan(TOL);
  });


  // Channel counts with every remainder mod 4 and patterns of 1–7 vectors; sizes with a tail past the last vector.
  const BIASES: { shape: number[]; axis?: number | number[]; keepDims?: boolean }[] = [
    { shape: [256, 28, 28, 6] },
    { shape: [37, 11, 13, 16], axis: [0, 1, 2], keepDims: true },
    { shape: [97, 120], axis: -2 },
    { shape: [5, 31, 29, 7], axis: [2, 0, 1] },
    { shape: [4099, 1] },
    { shape: [9, 9, 9, 9, 9], axis: [0, 1, 2, 3] },
    { shape: [2, 3, 3] }, // small: the backend's
    { shape: [64, 80, 3], axis: [0] }, // not all leading axes: the backend's
  ];

  it.each(BIASES)('a bias added along the last axis of $shape and its gradient (sum over axes $axis) match cpu', async (c) => {
    const C = c.shape[c.shape.length - 1];
    const axis = c.axis ?? c.shape.slice(0, -1).map((_, i) => i);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(randoms(size(c.shape), 3), c.shape);
        const b = tf.tensor1d(randoms(C, 4));
        const sums = [tf.add(x, b), tf.add(b, x), tf.sum(x, axis, c.keepDims)];
        return sums.map((t) => ({ shape: t.shape, values: t.dataSync() as Float32Array }));
      });
    const ref = await onBackend('cpu', run);
    const before = tf.memory().numTensors;
    const got = await onBackend('wasm', run);
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(ref[i].shape);
      expect(relError(g.values, ref[i].values)).toBeLessThan(TOL);
    });
  });

  it.each([[256, 28, 28, 6], [4099], [37, 113], [3, 5]])('products, differences and clones of %j match cpu', async (...shape) => {
    const run = () =>
      tf.tidy(() => {
        const a = tf.tensor(randoms(size(shape), 1), shape);
        const b = tf.tensor(randoms(size(shape), 2), shape);
        const c = tf.clone(a);
        const outs = [tf.mul(a, b), tf.sub(1, b), tf.sub(tf.tensor1d([0.25]), b), tf.mul(a, tf.scalar(3)), tf.sub(a, b), c];
        a.dispose();
        return outs.map((t) => t.dataSync() as Float32Array);
      });
    const ref = await onBackend('cpu', run);
    const before = tf.memory().numTensors;
    const got = await onBackend('wasm', run);
    expect(tf.memory().numTensors).toBe(before);
    got.forEach((g, i) => expect(relError(g, ref[i]), `value ${i}`).toBeLessThan(TOL));
  });

  // Windows that tile the input (our SIMD pooling), channel counts with every remainder mod 4.
  const TILING_POOLS: { x: [number, number, number, number]; size: number | [number, number] }[] = [
    { x: [5, 28, 28, 6], size: 2 },
    { x: [3, 10, 10, 16], size: 2 },
    { x: [2, 9, 12, 5], size: 3 },
    { x: [4, 6, 9, 1], size: [2, 3] },
    { x: [1, 4, 4, 13], size: 4 },
    { x: [3, 2, 2, 7], size: 1 },
  ];
  it.each(TILING_POOLS)('avgPool and its gradient x$x size $size, windows tiling the input, match cpu', async (p) => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(randoms(size(p.x), 3), p.x);
        const y = tf.avgPool(x, p.size, p.size, 'valid');
        const r = tf.tensor(randoms(size(y.shape), 4), y.shape);
        const dx = tf.grad((v) => tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, p.size, p.size, 'valid'), r)))(x);
        return [y, dx].map((t) => t.dataSync() as Float32Array);
      });
    const ref = await onBackend('cpu', run);
    const before = tf.memory().numTensors;
    const got = await onBackend('wasm', run);
    expect(tf.memory().numTensors).toBe(before);
    expect(relError(got[0], ref[0]), 'output').toBeLessThan(TOL);
    expect(relError(got[1], ref[1]), 'gradient').toBeLessThan(TOL);
  });

  it.each(POOLS)('avgPool gradient x$x size $size strides $strides pad $pad matches cpu', async (p) => {
    const run = () => avgPoolGrads(p);
    const ref = await onBackend('cpu', run);
    const got = await onBackend('wasm', run);
    expect(relError(got, ref)).toBeLessThan(TOL);
  });

  it('the comparison would catch a transposed filter gradient', async () => {
    // If the kernel wrote dW with kh/kw or ci/co swapped, the shapes above
    // still agree; make sure the values then do not.
    const square = CASES[4]; // 3x3, CI 3, CO 4
    const ref = await onBackend('cpu', () => conv2dGrads(square, 7));
    expect(relError(swapAxes(ref.dw, square.w, 0, 1), ref.dw)).toBeGreaterThan(100 * TOL);
    const c: Case = { name: 'ci = co', x: [3, 9, 6, 4], w: [3, 3, 4, 4], strides: 1, pad: 'same' };
    const ref2 = await onBackend('cpu', () => conv2dGrads(c, 11));
    const got2 = await onBackend('wasm', () => conv2dGrads(c, 11));
    expect(relError(got2.dw, ref2.dw)).toBeLessThan(TOL);
    expect(relError(swapAxes(ref2.dw, c.w, 2, 3), ref2.dw)).toBeGreaterThan(100 * TOL);
    expect(relError(swapAxes(got2.dw, c.w, 2, 3), ref2.dw)).toBeGreaterThan(100 * TOL);
  });

  it('splits the batch when the im2col buffer would exceed its budget', async () => {
    const c: Case = { name: 'chunked', x: [5, 9, 8, 3], w: [3, 3, 3, 4], strides: [2, 1], pad: 'same' };
    const ref = await onBackend('cpu', () => conv2dGrads(c, 3));
    try {
      // One output row's columns are 27·8 = 216 elements: pieces of 11 rows (5 per image), the last of 3.
      registerWasmTrainingKernels({ backpropFilter: 'im2col', im2colBudget: 2500 });
      const got = await onBackend('wasm', () => conv2dGrads(c, 3));
      expect(relError(got.dw, ref.dw)).toBeLessThan(TOL);
      registerWasmTrainingKernels({ backpropFilter: 'im2col', im2colBudget: 1 });
      const one = await onBackend('wasm', () => conv2dGrads(c, 3));
      expect(relError(one.dw, ref.dw)).toBeLessThan(TOL);
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it('past the scratch budget: im2col instead of the convolution form, the upsampled dy in pieces', async () => {
    // Strided cases (an upsampled dy) of several images, 1 to 64 channels, strides 2 and 3.
    const strided = CASES.filter((c) => c.strides !== 1 && c.x[0] > 1);
    expect(strided.length).toBeGreaterThan(5);
    try {
      for (const c of strided) {
        const ref = await onBackend('cpu', () => conv2dGrads(c, 5));
        // 1: one image per piece; 300: '3x3 valid stride 2, leftover rows' upsamples 2 images, then 1.
        for (const budget of [1, 300]) {
          registerWasmTrainingKernels({ backpropFilter: 'xnnpack', im2colBudget: budget });
          const got = await onBackend('wasm', () => conv2dGrads(c, 5));
          for (const name of GRAD_NAMES) expect(relError(got[name], ref[name]), `${c.name}, ${budget}: ${name}`).toBeLessThan(TOL);
        }
      }
    } finally {
      registerWasmTrainingKernels();
    }
  });

  it('runs through the registered kernels (not a silent fallback)', async () => {
    await tf.setBackend('wasm');
    const c = CASES[1];
    const info = await tf.profile(() => {
      conv2dGrads(c, 5);
    });
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain('Conv2DBackpropFilter');
    expect(names).toContain('Conv2DBackpropInput');
  });

  it('rejects what it does not support with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 5, 5, 2]);
    const dy = tf.zeros([1, 5, 5, 3]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NHWC',
        filterShape: [3, 3, 2, 3],
        dilations: [2, 2],
      } as unknown as tf.NamedAttrMap),
    ).toThrow(/dilations other than 1/);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.zeros([1, 2, 5, 5]), dy: tf.zeros([1, 3, 5, 5]) }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NCHW',
        filterShape: [3, 3, 2, 3],
      } as unknown as tf.NamedAttrMap),
    ).toThrow(/NHWC/);
    tf.disposeVariables();
  });

  it('leaks neither tensors nor wasm heap buffers', async () => {
    await tf.setBackend('wasm');
    const backend = tf.engine().backend as unknown as { numDataIds(): number };
    const run = (c: Case) =>
      tf.tidy(() => {
        const x = tf.tensor4d(randoms(size(c.x), 1), c.x);
        const w = tf.tensor4d(randoms(size(c.w), 2), c.w);
        const [dx, dw] = tf.grads((a, b) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad)))([x, w]);
        dx.dataSync();
        dw.dataSync();
        const m = tf.tensor2d(randoms(20, 3), [5, 4]);
        const [dm] = tf.grads((u) => tf.sum(tf.matMul(u, m, false, true)))([tf.tensor2d(randoms(12, 4), [3, 4])]);
        dm.dataSync();
        tf.grad((u) => tf.sum(tf.avgPool(u as tf.Tensor4D, 3, 2, 'same')))(x).dataSync();
      });
    run(CASES[6]); // warm up (first use may create cached state)
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    for (const c of CASES) run(c);
    registerWasmTrainingKernels({ backpropFilter: 'im2col', im2colBudget: 100 });
    try {
      run(CASES[5]);
    } finally {
      registerWasmTrainingKernels();
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
  });

  /** Trains conv → avgPool → dense on a toy task; returns losses and conv kernel change. */
  function trainTinyNet(steps: number): { losses: number[]; convChange: number; tensorGrowth: number } {
    const n = 24;
    // Three classes: a bright horizontal bar, vertical bar or diagonal in 8x8 noise.
    const xs = new Float32Array(n * 64);
    const noise = randoms(n * 64, 99);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const cls = i % 3;
      labels.push(cls);
      const p = 1 + (i % 5);
      for (let r = 0; r < 8; r++)
        for (let col = 0; col < 8; col++) {
          const on = cls === 0 ? r === p : cls === 1 ? col === p : r === col;
          xs[i * 64 + r * 8 + col] = (on ? 1 : 0) + 0.1 * noise[i * 64 + r * 8 + col];
        }
    }
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 1],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const x = tf.tensor4d(xs, [n, 8, 8, 1]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
    const opt = tf.train.sgd(1);
    const kernel0 = model.layers[0].getWeights()[0].dataSync().slice();
    const losses: number[] = [];
    let afterFirst = 0;
    for (let step = 0; step < steps; step++) {
      const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true);
      if (loss === null) throw new Error('no loss');
      losses.push(loss.dataSync()[0]);
      loss.dispose();
      if (step === 0) afterFirst = tf.memory().numTensors;
    }
    const tensorGrowth = tf.memory().numTensors - afterFirst;
    const kernel1 = model.layers[0].getWeights()[0].dataSync();
    let convChange = 0;
    for (let i = 0; i < kernel1.length; i++) convChange = Math.max(convChange, Math.abs(kernel1[i] - kernel0[i]));
    x.dispose();
    y.dispose();
    model.dispose();
    opt.dispose();
    return { losses, convChange, tensorGrowth };
  }

  it('trains a tiny conv net on wasm: the loss goes down, as on cpu', async () => {
    const ref = await onBackend('cpu', () => trainTinyNet(15));
    const got = await onBackend('wasm', () => trainTinyNet(15));
    expect(got.losses.every(Number.isFinite)).toBe(true);
    expect(got.losses[got.losses.length - 1]).toBeLessThan(0.5 * got.losses[0]);
    expect(got.convChange).toBeGreaterThan(1e-3);
    expect(got.tensorGrowth).toBe(0);
    for (let i = 0; i < ref.losses.length; i++) {
      expect(Math.abs(got.losses[i] - ref.losses[i])).toBeLessThan(1e-3 * Math.max(1, ref.losses[i]));
    }
  });

  it('unregisters cleanly and restores the backend kernels', () => {
    const ours = tf.getKernel('Conv2DBackpropInput', 'wasm');
    unregisterWasmTrainingKernels();
    expect(Object.values(wasmTrainingKernelsRegistered()).some(Boolean)).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    for (const name of ['Conv2DBackpropInput', 'BatchMatMul', 'AvgPoolGrad', 'GatherV2']) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
    }
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).not.toBe(ours);
    registerWasmTrainingKernels({ batchMatMul: false });
    expect(wasmTrainingKernelsRegistered()).toEqual({
      backpropFilter: true,
      backpropInput: true,
      batchMatMul: false,
      avgPoolGrad: true,
      gatherRows: true,
      convolution: true,
      identity: true,
      biasAdd: true,
      biasSum: true,
    });
    registerWasmTrainingKernels();
    expect(Object.values(wasmTrainingKernelsRegistered()).every(Boolean)).toBe(true);
  });
});
