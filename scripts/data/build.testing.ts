/** What the data-build tests share: reading and decoding a build's output, expecting it to fail. */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { gunzip } from '../../src/core/data/gunzip';
import { DataFileError, FASHION_MNIST_FILES, decodeIdxPair, type Dataset } from '../../src/core/data/idx';
import { BuildDataError, buildData, type BuildDataOptions, type FileKey } from './build';

export async function readOut(dir: string): Promise<Record<FileKey, Uint8Array>> {
  const read = async (key: FileKey) => new Uint8Array(await readFile(path.join(dir, FASHION_MNIST_FILES[key])));
  return {
    trainImages: await read('trainImages'),
    trainLabels: await read('trainLabels'),
    testImages: await read('testImages'),
    testLabels: await read('testLabels'),
  };
}

export async function decodeOut(dir: string, split: 'train' | 'test'): Promise<Dataset> {
  const files = await readOut(dir);
  const i = split === 'train' ? 'trainImages' : 'testImages';
  const l = split === 'train' ? 'trainLabels' : 'testLabels';
  return decodeIdxPair(await gunzip(files[i], i), await gunzip(files[l], l), { imagesName: i, labelsName: l });
}

export async function expectBuildError(options: BuildDataOptions): Promise<Error> {
  try {
    await buildData(options);
  } catch (error) {
    expect(error instanceof BuildDataError || error instanceof DataFileError).toBe(true);
    return error as Error;
  }
  throw new Error('expected the build to fail');
}

export const md5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

/** A folder of "official" files for the --from tests: here, a tiny build's outputs, with their MD5s. */
export async function officialDir(builtDir: string, dir: string): Promise<{ dir: string; md5s: Record<FileKey, string> }> {
  await mkdir(dir);
  const md5s = {} as Record<FileKey, string>;
  for (const [key, name] of Object.entries(FASHION_MNIST_FILES) as [FileKey, string][]) {
    await copyFile(path.join(builtDir, name), path.join(dir, name));
    md5s[key] = md5(new Uint8Array(await readFile(path.join(dir, name))));
  }
  return { dir, md5s };
}
