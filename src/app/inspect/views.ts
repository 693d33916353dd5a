/** The inspection views' rules and words, as pure functions the components and the hook share. */
import { IMAGE_PIXELS } from '../../core/model/architecture';
import { perClassAccuracy, type ConfusionMatrix } from '../../core/inspect/confusion';
import type { ImagesReply } from '../../worker/protocol';
import { percent } from '../format';

/** The dataset's class names (DATASET_INFO), in label order. */
export type ClassNames = readonly string[];

export const classLabel = (names: ClassNames, label: number) => names[label] ?? `class ${label}`;

/** What a thumbnail of a test image is named: its true class, what the model said, and how sure it was. */
export function thumbnailName(names: ClassNames, label: number, predicted: number, confidence: number): string {
  return `${classLabel(names, label)}, predicted ${classLabel(names, predicted)}, ${percent(confidence)} sure`;
}

export function cellTitle(names: ClassNames, trueClass: number, predictedClass: number, total: number): string {
  const images = `${total} ${total === 1 ? 'image' : 'images'}`;
  return trueClass === predictedClass
    ? `${classLabel(names, trueClass)} predicted right: ${images}`
    : `${classLabel(names, trueClass)} predicted as ${classLabel(names, predictedClass)}: ${images}`;
}

export interface PerClassRow {
  name: string;
  accuracy: number;
  /** Since the previous epoch; NaN for the first. */
  change: number;
}

export function perClassRows(names: ClassNames, latest: ConfusionMatrix, previous: ConfusionMatrix | null): PerClassRow[] {
  const now = perClassAccuracy(latest);
  const before = previous ? perClassAccuracy(previous) : null;
  return now.map((accuracy, label) => ({
    name: classLabel(names, label),
    accuracy,
    change: before ? accuracy - before[label] : NaN,
  }));
}

/** One thumbnail of a reply: its pixels and what is known of it. */
export interface Thumb {
  key: string;
  split: 'train' | 'test';
  index: number;
  label: number;
  pixels: Uint8Array;
  predicted: number | null;
  confidence: number | null;
}

export function thumbs(reply: ImagesReply): Thumb[] {
  return Array.from(reply.indices, (index, i) => ({
    key: `${reply.split}-${index}`,
    split: reply.split,
    index,
    label: reply.labels[i],
    pixels: reply.pixels.subarray(i * IMAGE_PIXELS, (i + 1) * IMAGE_PIXELS),
    predicted: reply.predicted ? reply.predicted[i] : null,
    confidence: reply.confidence ? reply.confidence[i] : null,
  }));
}

/** "Coat (test image 31)": how a chosen image is titled in Feature maps. */
export function imageTitle(names: ClassNames, thumb: Pick<Thumb, 'split' | 'label' | 'index'>): string {
  return `${classLabel(names, thumb.label)} (${thumb.split} image ${thumb.index})`;
}

/** The first test image of `label` among the samples, if any. */
export function firstOfClass(samples: Thumb[], label: number): Thumb | null {
  return samples.find((thumb) => thumb.label === label) ?? null;
}

/** The book's exercise pair: "sweaters, coats". */
export const BOOK_PAIR = { pullover: 2, coat: 4 } as const;

/** Black or white, whichever reads better on `rgb` (relative luminance, WCAG). */
export function readableTextOn([r, g, b]: readonly [number, number, number]): '#000' | '#fff' {
  const linear = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return luminance > 0.179 ? '#000' : '#fff';
}

/** The class with the highest probability, ignoring NaN (a diverged model); -1 when there is none. */
export function mostLikely(probabilities: ArrayLike<number> | null): number {
  let best = -1;
  if (!probabilities) return best;
  for (let i = 0; i < probabilities.length; i++) {
    if (Number.isFinite(probabilities[i]) && (best < 0 || probabilities[i] > probabilities[best])) best = i;
  }
  return best;
}
