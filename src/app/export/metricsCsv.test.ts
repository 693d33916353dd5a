import { describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../core/train/events';
import { metricsCsv } from './metricsCsv';

const row = (epoch: number, trainLoss: number, testAccuracy: number): EpochEvent => ({
  type: 'epoch', epoch, epochs: 2, trainLoss, trainAccuracy: 0.5, testAccuracy, confusion: [],
  seconds: 1.25, imagesPerSecond: 4096, elapsedSeconds: epoch,
});

describe('metricsCsv', () => {
  it('writes a header and one line per epoch, numbers at full precision', () => {
    expect(metricsCsv([row(1, 2.302585, 0.1), row(2, 0.4731, 0.824)])).toBe(
      'epoch,train_loss,train_acc,test_acc,seconds,images_per_second\n' +
      '1,2.302585,0.5,0.1,1.25,4096\n' +
      '2,0.4731,0.5,0.824,1.25,4096\n',
    );
  });

  it('leaves a value that is not a number empty, and writes only the header for no epochs', () => {
    expect(metricsCsv([row(1, NaN, 0.1)])).toBe('epoch,train_loss,train_acc,test_acc,seconds,images_per_second\n1,,0.5,0.1,1.25,4096\n');
    expect(metricsCsv([])).toBe('epoch,train_loss,train_acc,test_acc,seconds,images_per_second\n');
  });
});
