/**
 * A dataset from its four IDX files, however they are fetched: the worker
 * passes fetch(), Node passes readFile. Every built-in dataset's folder holds
 * the same four file names, and the learner's own files end in the same
 * decoder (decodeSplits), so both are checked alike.
 */
import { IMAGE_SIZE } from '../model/architecture';
import { gunzip } from './gunzip';
import { DataFileError, decodeIdxPair, FASHION_MNIST_FILES, type Dataset } from './idx';

export interface Splits {
  train: Dataset;
  test: Dataset;
}

/** One file's bytes as read or downloaded (gzip'd or not) and the name its errors go by. */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export type SplitFiles = Record<keyof typeof FASHION_MNIST_FILES, NamedBytes>;

export type FileReader = (fileName: string) => Promise<Uint8Array>;

/**
 * Some static hosts serve `.gz` files with `Content-Encoding: gzip`, so the
 * browser has already inflated them, and a learner's files may never have
 * been gzip'd: accept plain IDX bytes (every IDX magic starts with two zero
 * bytes) as well. Anything else is gunzip's to judge, so a web page served in
 * place of a file is called "not gzip data".
 */
export async function inflate(file: NamedBytes): Promise<NamedBytes> {
  const { bytes, name } = file;
  const isPlainIdx = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0;
  return isPlainIdx ? file : { name, bytes: await gunzip(bytes, name) };
}

/** Decodes and checks four uncompressed files; LeNet takes 28×28 images, so other sizes are a broken file. */
export function decodeSplits(files: SplitFiles): Splits {
  const split = (images: NamedBytes, labels: NamedBytes): Dataset => {
    const dataset = decodeIdxPair(images.bytes, labels.bytes, { imagesName: images.name, labelsName: labels.name });
    if (dataset.rows !== IMAGE_SIZE || dataset.cols !== IMAGE_SIZE) {
      throw new DataFileError(images.name, `holds ${dataset.rows}×${dataset.cols} images; LeNet needs ${IMAGE_SIZE}×${IMAGE_SIZE}`);
    }
    return dataset;
  };
  return { train: split(files.trainImages, files.trainLabels), test: split(files.testImages, files.testLabels) };
}

/** The four standard files of one folder, read through `read`. */
export async function loadDatasetFolder(read: FileReader): Promise<Splits> {
  const files: Partial<SplitFiles> = {};
  // Sequential on purpose: progress is reported file by file.
  for (const [role, name] of Object.entries(FASHION_MNIST_FILES) as [keyof SplitFiles, string][]) {
    files[role] = await inflate({ name, bytes: await read(name) });
  }
  return decodeSplits(files as SplitFiles);
}
