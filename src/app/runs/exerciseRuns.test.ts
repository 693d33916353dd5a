import { describe, expect, it } from 'vitest';
import { EXERCISES } from '../../core/config/exercises';
import { latestRunOf } from './exerciseRuns';
import { sampleRun } from './runRecord.testing';

describe('a kept run of an exercise', () => {
  const maxPooling = EXERCISES[0];
  it('is the newest with its settings, whatever the backend, image counts and epochs', () => {
    const runs = [
      sampleRun({ id: 'a', link: 'pool=max&epochs=2&train=512&backend=wasm' }),
      sampleRun({ id: 'b', link: 'pool=max' }),
    ];
    expect(latestRunOf(maxPooling, runs)?.id).toBe('a');
  });

  it('is none when anything else differs, or the run ended before an epoch', () => {
    expect(latestRunOf(maxPooling, [sampleRun({ link: 'pool=max&lr=0.5' }), sampleRun({ link: '' })])).toBeNull();
    expect(latestRunOf(maxPooling, [sampleRun({ link: 'pool=max', epochs: [] })])).toBeNull();
    expect(latestRunOf(EXERCISES.at(-1)!, [sampleRun({ link: '' })])).toBeNull();
  });
});
