/**
 * Fashion-MNIST from its four IDX files, however they are fetched: the worker
 * passes fetch(), Node passes readFile. One decoder path for both.
 */
import { decodeIdxPair, FASHION_MNIST_FILES, type Dataset } from './idx';
import { gunzip } from './gunzip';

export interface Splits {
  train: Dataset;
  test: Dataset;
}

export type FileReader = (fileName: string) => Promise<Uint8Array>;

/**
 * Some static hosts serve `.gz` files with `Content-Encoding: gzip`, so the
 * browser has already inflated them: accept plain IDX bytes as well.
 */
async function inflate(bytes: Uint8Array, fileName: string): Promise<Uint8Array> {
  const isPlainIdx = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 8 && (bytes[3] === 1 || bytes[3] === 3);
  return isPlainIdx ? bytes : gunzip(bytes, fileName);
}

export async function loadFashionMnist(read: FileReader): Promise<Splits> {
  const names = [
    FASHION_MNIST_FILES.trainImages, FASHION_MNIST_FILES.trainLabels,
    FASHION_MNIST_FILES.testImages, FASHION_MNIST_FILES.testLabels,
  ];
  // Sequential on purpose: progress is reported file by file.
  const files: Uint8Array[] = [];
  for (const name of names) files.push(await inflate(await read(name), name));
  const [trainImages, trainLabels, testImages, testLabels] = files;
  return {
    train: decodeIdxPair(trainImages, trainLabels, { imagesName: names[0], labelsName: names[1] }),
    test: decodeIdxPair(testImages, testLabels, { imagesName: names[2], labelsName: names[3] }),
  };
}
