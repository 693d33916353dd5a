import type { RunRecord } from './runRecord';

/** A valid record: two epochs of a run with max pooling. */
export function sampleRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    name: 'Run 1: pool=max',
    link: 'pool=max',
    dataset: 'fashion',
    backend: 'wasm',
    backendDetails: 'SIMD, 2 threads of 2 cores',
    startedAt: 1_750_000_000_000,
    seconds: 42.5,
    end: 'done',
    epochs: [
      { epoch: 1, trainLoss: 2.3, trainAccuracy: 0.1, testAccuracy: 0.12, seconds: 20, imagesPerSecond: 3000 },
      { epoch: 2, trainLoss: 1.1, trainAccuracy: 0.6, testAccuracy: 0.65, seconds: 21, imagesPerSecond: 2900 },
    ],
    points: [
      { epoch: 0.5, trainLoss: 2.2, trainAccuracy: 0.1 },
      { epoch: 1, trainLoss: 2.3, trainAccuracy: 0.1, testAccuracy: 0.12 },
      { epoch: 2, testAccuracy: 0.65 },
    ],
    hasWeights: false,
    ...overrides,
  };
}
