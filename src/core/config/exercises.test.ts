import { describe, expect, it } from 'vitest';
import { decode, encode } from './codec';
import { EXERCISES, exerciseConfig } from './exercises';
import { DEFAULT_CONFIG } from './params';
import { networkTable } from '../model/architecture';

describe('the chapter\'s exercises', () => {
  it('are every exercise of the book, each a valid link that trains', () => {
    expect(EXERCISES.map((exercise) => exercise.id)).toEqual(['1', '2a', '2b', '2c', '2d', '2e', '2f', '3', '4']);
    for (const exercise of EXERCISES) {
      const { config, problems } = decode(exercise.keys);
      expect(problems, exercise.id).toEqual([]);
      expect(encode(config), exercise.id).toBe(exercise.keys);
      expect(networkTable(config).problems, exercise.id).toEqual([]);
    }
  });

  it('keep where the learner trains and on how many images', () => {
    const mine = { ...DEFAULT_CONFIG, backend: 'wasm' as const, train: 3000, test: 500, epochs: 2 };
    expect(exerciseConfig(EXERCISES[0], mine)).toEqual({ ...DEFAULT_CONFIG, pool: 'max', backend: 'wasm', train: 3000, test: 500 });
  });
});
