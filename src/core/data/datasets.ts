/**
 * The datasets a learner can train on. Each built-in one is four IDX files
 * under public/data/<folder>/, with the same file names as Zalando's and
 * LeCun's, so one loader reads them all; "own" is four files the learner
 * picks, read in the worker and never uploaded.
 */
import { CLASS_NAMES as FASHION_CLASS_NAMES } from './idx';

export const DATASETS = ['fashion', 'mnist', 'own'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface DatasetInfo {
  name: DatasetName;
  /** As the Dataset control and the headings say it. */
  label: string;
  /** One sentence for the Dataset view. */
  description: string;
  /** What the Draw view asks for. */
  drawSubject: string;
  classNames: readonly string[];
  /** Folder under public/data/ that holds the four files; null for files the learner brings. */
  folder: string | null;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const DATASET_INFO: Record<DatasetName, DatasetInfo> = {
  fashion: { name: 'fashion', label: 'Fashion-MNIST', description: '28×28 grayscale photos of clothes from Zalando, ten classes.', drawSubject: 'a piece of clothing', classNames: FASHION_CLASS_NAMES, folder: 'fashion-mnist' },
  mnist: { name: 'mnist', label: 'MNIST digits', description: 'handwritten digits 0–9 scanned at 28×28, the data LeNet was made for.', drawSubject: 'a digit', classNames: DIGITS, folder: 'mnist' },
  own: { name: 'own', label: 'Your own files', description: 'the four IDX files you chose, read on this computer only.', drawSubject: 'one of your classes', classNames: DIGITS, folder: null },
};
