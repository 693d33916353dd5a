/** Picking rows of an evaluation: a confusion cell's images, the most confident mistakes. */
import type { Evaluation } from './evaluate';

export interface Ranked {
  /** How many rows matched in all. */
  total: number;
  /** Up to `limit` matching rows of the evaluation, most confident first. */
  rows: number[];
}

function rank(evaluation: Evaluation, matches: (row: number) => boolean, limit: number): Ranked {
  const rows: number[] = [];
  for (let row = 0; row < evaluation.labels.length; row++) if (matches(row)) rows.push(row);
  // Ties keep dataset order, so the same evaluation always lists the same images.
  rows.sort((a, b) => evaluation.confidence[b] - evaluation.confidence[a] || a - b);
  return { total: rows.length, rows: rows.slice(0, Math.max(0, limit)) };
}

/** The images of one cell: true class `trueClass`, predicted `predictedClass` (a diagonal cell lists hits). */
export function cellRows(evaluation: Evaluation, trueClass: number, predictedClass: number, limit: number): Ranked {
  const { labels, predicted } = evaluation;
  return rank(evaluation, (row) => labels[row] === trueClass && predicted[row] === predictedClass, limit);
}

export interface MistakeFilter {
  /** Only images of this true class; null for all. */
  trueClass: number | null;
  /** Only images predicted as this class; null for all. */
  predictedClass: number | null;
}

/** Wrong predictions, most confident first. */
export function topMistakes(evaluation: Evaluation, filter: MistakeFilter, limit: number): Ranked {
  const { labels, predicted } = evaluation;
  return rank(evaluation, (row) => labels[row] !== predicted[row] &&
    (filter.trueClass === null || labels[row] === filter.trueClass) &&
    (filter.predictedClass === null || predicted[row] === filter.predictedClass), limit);
}
