import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../../core/config/params';
import { buildModel } from '../../../core/model/build';
import { chooseTrainingStep } from '.';

describe('chooseTrainingStep', () => {
  const config = presetConfig('d2l');
  let model: tf.LayersModel;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = buildModel(config);
  });
  afterAll(() => model.dispose());

  it('says nothing off WebGPU', async () => {
    expect(await chooseTrainingStep({ backend: 'wasm', compiledStep: false }, model, config)).toEqual({ step: null, note: null });
  });

  it('says when the compiled step is turned off', async () => {
    expect(await chooseTrainingStep({ backend: 'webgpu', compiledStep: false }, model, config))
      .toEqual({ step: null, note: 'tfjs kernels: the compiled step is turned off (kernels=tfjs)' });
  });

  it('falls back to tfjs\'s kernels with the reason when the step cannot be built, and never throws', async () => {
    // No WebGPU device here: building fails the way a rejected shader or a lack of memory would.
    const choice = await chooseTrainingStep({ backend: 'webgpu', compiledStep: true }, model, config);
    expect(choice.step).toBeNull();
    expect(choice.note).toBe('tfjs kernels: the active backend is cpu, not webgpu');
  });
});
