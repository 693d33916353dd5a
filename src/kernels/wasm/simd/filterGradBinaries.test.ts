import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILTER_GRAD_BINARIES_PATH, renderFilterGradBinaries } from '../../../../scripts/wasm-kernels';
import { conv2dGrads, onBackend, relError, TOL, type Case } from '../../shared/testValues';
import { registerWasmTrainingKernels } from '../trainingKernels';
import { FILTER_GRAD_WASM_BASE64 } from './filterGradBinaries';
import { filterGradExports } from './filterGradSimd';
import { asWasmBackend } from '../backend';

describe('the SIMD filter-gradient kernel', () => {
  it('is committed as generated from its source (else run `npm run build:wasm-kernels`)', async () => {
    expect(readFileSync(FILTER_GRAD_BINARIES_PATH, 'utf8')).toBe(await renderFilterGradBinaries());
  });

  it('compiles and instantiates against plain and shared memories (variants without relaxed SIMD)', () => {
    for (const [name, shared] of [['plain', false], ['sharedPlain', true]] as const) {
      const bytes = Uint8Array.from(atob(FILTER_GRAD_WASM_BASE64[name]), (c) => c.charCodeAt(0));
      const memory = new WebAssembly.Memory(shared ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      expect(Object.keys(instance.exports).sort()).toEqual(['fg_2x4', 'fg_3x3', 'fg_5x2', 'fg_8x1', 'pad']);
    }
  });

  describe('on the wasm backend', () => {
    beforeAll(async () => {
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels({ backpropFilter: 'simd' });
      expect(await tf.setBackend('wasm')).toBe(true);
      expect(filterGradExports(asWasmBackend(tf.backend()))).toBeDefined();
    });

    afterAll(async () => {
      registerWasmTrainingKernels();
      await tf.setBackend('cpu');
    });

    // Channel counts whose f32x4 blocks have different tile heights (4+1, 4+4+2, 3 vectors with a tail).
    const cases: Case[] = [
      { name: '20 channels, same', x: [2, 7, 6, 3], w: [3, 3, 3, 20], strides: 1, pad: 'same' },
      { name: '37 channels, valid, strides 2×1', x: [3, 9, 8, 5], w: [3, 2, 5, 37], strides: [2, 1], pad: 'valid' },
      { name: '11 channels, padding 2', x: [1, 5, 5, 2], w: [5, 5, 2, 11], strides: 1, pad: 2 },
    ];
    it.each(cases)('dW matches cpu: $name', async (c) => {
      const ref = await onBackend('cpu', () => conv2dGrads(c, 3));
      const before = tf.memory().numTensors;
      const got = await onBackend('wasm', () => conv2dGrads(c, 3));
      expect(tf.memory().numTensors).toBe(before);
      expect(relError(got.dw, ref.dw)).toBeLessThan(TOL);
    });
  });
});
