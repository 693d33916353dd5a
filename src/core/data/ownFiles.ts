/**
 * The learner's own dataset: four IDX files, gzip'd or not, named anything.
 * Which one is which is read from their headers, so a learner who renamed
 * MNIST's files, or made their own, need not follow Zalando's names.
 */
import { decodeSplits, inflate, type NamedBytes, type Splits } from './datasetFolder';
import { idxHeader } from './idx';

interface Headed extends NamedBytes {
  kind: 'images' | 'labels';
  count: number;
}

const TEST_NAME = /t10k|test/i;

function names(files: readonly NamedBytes[]): string {
  return files.map((file) => file.name).join(', ');
}

/**
 * [train, test] of two image files or of two label files, or null when
 * nothing tells them apart: the larger is the training one, as in every
 * dataset of this kind, and on a tie the name says which is the test one.
 * Ordering the labels by the same rule pairs each with the images of its
 * count; when they cannot pair, decodeSplits says which counts differ.
 */
function trainThenTest([a, b]: Headed[]): [Headed, Headed] | null {
  if (a.count !== b.count) return a.count > b.count ? [a, b] : [b, a];
  const aIsTest = TEST_NAME.test(a.name);
  if (aIsTest === TEST_NAME.test(b.name)) return null;
  return aIsTest ? [b, a] : [a, b];
}

function cannotTell([a, b]: Headed[]): never {
  throw new Error(
    `${a.name} and ${b.name} both hold ${a.count} ${a.kind}: put "test" or "t10k" in the name of the test one ` +
      'so it can be told from the training one.',
  );
}

/** Decodes and checks the learner's four files; every error message says which file (or files) to fix. */
export async function decodeOwnFiles(files: readonly NamedBytes[]): Promise<Splits> {
  if (files.length !== 4) {
    throw new Error(
      `Choose exactly four IDX files (training images and labels, test images and labels); got ${files.length}` +
        (files.length ? ` (${names(files)})` : '') + '.',
    );
  }
  const headed = await Promise.all(files.map(async (file): Promise<Headed> => {
    const plain = await inflate(file);
    return { ...plain, ...idxHeader(plain.bytes, plain.name) };
  }));
  const images = headed.filter((file) => file.kind === 'images');
  const labels = headed.filter((file) => file.kind === 'labels');
  if (images.length !== 2) {
    throw new Error(
      `Two of the four files must be IDX image files and two IDX label files, but ${images.length} hold images ` +
        `(${names(images) || 'none'}) and ${labels.length} hold labels (${names(labels) || 'none'}).`,
    );
  }
  const [trainImages, testImages] = trainThenTest(images) ?? cannotTell(images);
  // Image files of different counts leave no order of equal label files that pairs: any order gets the count error.
  const [trainLabels, testLabels] = trainThenTest(labels) ??
    (trainImages.count === testImages.count ? cannotTell(labels) : labels);
  return decodeSplits({ trainImages, trainLabels, testImages, testLabels });
}
