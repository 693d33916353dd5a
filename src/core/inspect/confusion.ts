/** The confusion matrix and what is read off it. Plain arrays: no tfjs. */
import { NUM_CLASSES } from '../data/idx';

/** Row-major counts: row = true class, column = predicted class. */
export type ConfusionMatrix = number[];

export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes = NUM_CLASSES): ConfusionMatrix {
  if (labels.length !== predicted.length) throw new Error(`${labels.length} labels but ${predicted.length} predictions`);
  const counts: number[] = new Array(classes * classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i] * classes + predicted[i]]++;
  return counts;
}

export function classCount(matrix: ConfusionMatrix): number {
  return Math.round(Math.sqrt(matrix.length));
}

/** Diagonal over total: the split's accuracy (NaN for an empty matrix). */
export function accuracyOf(matrix: ConfusionMatrix): number {
  const classes = classCount(matrix);
  let correct = 0;
  let total = 0;
  for (let i = 0; i < matrix.length; i++) {
    total += matrix[i];
    if (Math.floor(i / classes) === i % classes) correct += matrix[i];
  }
  return total ? correct / total : NaN;
}

/** Per true class: the fraction predicted right (NaN for a class with no images). */
export function perClassAccuracy(matrix: ConfusionMatrix): number[] {
  const classes = classCount(matrix);
  return Array.from({ length: classes }, (_, row) => {
    const counts = matrix.slice(row * classes, (row + 1) * classes);
    const total = counts.reduce((sum, n) => sum + n, 0);
    return total ? counts[row] / total : NaN;
  });
}

/** Each cell over its row's total (0 for an empty row): what the shading shows. */
export function rowFractions(matrix: ConfusionMatrix): number[] {
  const classes = classCount(matrix);
  return matrix.map((count, i) => {
    const row = Math.floor(i / classes);
    const total = matrix.slice(row * classes, (row + 1) * classes).reduce((sum, n) => sum + n, 0);
    return total ? count / total : 0;
  });
}
