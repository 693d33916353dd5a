/**
 * A run's epoch metrics as CSV, for a spreadsheet or a plotting script: one
 * row per epoch, the numbers at full precision (the table rounds them for
 * reading, a file should not).
 */
import type { EpochEvent } from '../../core/train/events';

export const METRICS_CSV_HEADER = 'epoch,train_loss,train_acc,test_acc,seconds,images_per_second';

export function metricsCsv(rows: readonly EpochEvent[]): string {
  const lines = rows.map((row) => [row.epoch, row.trainLoss, row.trainAccuracy, row.testAccuracy, row.seconds, row.imagesPerSecond]
    .map((value) => (Number.isFinite(value) ? String(value) : ''))
    .join(','));
  return [METRICS_CSV_HEADER, ...lines].join('\n') + '\n';
}
