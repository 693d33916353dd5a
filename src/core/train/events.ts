/** What a training run tells the world. Plain data: it crosses the worker boundary as is. */

export interface ProgressEvent {
  type: 'progress';
  epoch: number;
  /** Steps done in this epoch. */
  step: number;
  stepsPerEpoch: number;
  /** Epochs done as a fraction, e.g. 1.2 = a fifth into epoch 2: the chart's x. */
  epochFraction: number;
  /** Running means over this epoch so far, as the book plots them. */
  trainLoss: number;
  trainAccuracy: number;
  imagesPerSecond: number;
  elapsedSeconds: number;
}

export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  epochs: number;
  /** Running means over the whole epoch while the weights changed (the book's numbers). */
  trainLoss: number;
  trainAccuracy: number;
  /** Measured on the test images after the epoch. */
  testAccuracy: number;
  /** The same test pass as counts, row = true class, column = predicted (10 × 10, row-major). */
  confusion: number[];
  /** Wall time of the epoch including the test pass. */
  seconds: number;
  /** Training images per second, test pass excluded. */
  imagesPerSecond: number;
  elapsedSeconds: number;
}

export interface Summary {
  epochs: number;
  trainLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  elapsedSeconds: number;
  imagesPerSecond: number;
}

export type EndEvent =
  | ({ type: 'done' } & Summary)
  | { type: 'stopped'; epoch: number; step: number; elapsedSeconds: number }
  | { type: 'diverged'; epoch: number; step: number; message: string }
  | { type: 'error'; message: string };

export type TrainEvent = ProgressEvent | EpochEvent | EndEvent;
