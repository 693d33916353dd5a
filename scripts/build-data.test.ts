import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzip } from '../src/core/data/gunzip';
import { DataFileError, FASHION_MNIST_FILES } from '../src/core/data/idx';
import {
  BuildDataError,
  MANIFEST_NAME,
  OFFICIAL_MD5,
  SPLIT_CAVEAT,
  buildData,
  formatReport,
  malformedReason,
  parseBuildDataArgs,
} from './data/build';
import type { FileKey, Manifest } from './data/build';
import { decodeOut, expectBuildError, md5, officialDir as copiedOfficial, readOut } from './data/build.testing';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const TEST = 2;
const TRAIN = 3;
const PER_CLASS = TEST + TRAIN;

/** A valid image whose first two pixels say which class and which valid image it is. */
function image(label: number, serial: number): number[] {
  return Array.from({ length: 784 }, (_, p) =>
    p === 0 ? label : p === 1 ? serial : (label * 37 + serial * 13 + p * 7) % 256,
  );
}

const bad = {
  empty: [] as number[],
  short: image(0, 90).slice(0, 783),
  big: image(0, 91).map((v, p) => (p === 100 ? 256 : v)),
  negative: image(0, 92).map((v, p) => (p === 200 ? -1 : v)),
  text: image(0, 93).map((v, p) => (p === 300 ? 'x' : v)),
  fraction: image(0, 94).map((v, p) => (p === 400 ? 1.5 : v)),
};

/** Entries of class `label`: `valid` good images, with malformed ones mixed in for classes 0 and 3. */
function classEntries(label: number, valid = PER_CLASS): unknown[] {
  const good = Array.from({ length: valid }, (_, s) => image(label, s));
  if (label === 0) {
    // index: 0 good, 1 [], 2 good, 3 783 values, 4 good, 5 256, 6 good, 7 -1, 8 "x", 9 1.5, 10 good
    const [g0, g1, g2, g3, ...rest] = good;
    return [g0, bad.empty, g1, bad.short, g2, bad.big, g3, bad.negative, bad.text, bad.fraction, ...rest];
  }
  if (label === 3) return [...good, null];
  return good;
}

const EXPECTED_DROPPED = [
  { label: 0, index: 1, reason: 'empty (0 values, expected 784)' },
  { label: 0, index: 3, reason: '783 values (expected 784)' },
  { label: 0, index: 5, reason: 'value 256 at pixel 100 is not an integer in 0–255' },
  { label: 0, index: 7, reason: 'value -1 at pixel 200 is not an integer in 0–255' },
  { label: 0, index: 8, reason: 'value "x" at pixel 300 is not a number' },
  { label: 0, index: 9, reason: 'value 1.5 at pixel 400 is not an integer in 0–255' },
  { label: 3, index: 5, reason: 'not an array (null)' },
];

let root: string;
let n = 0;
const fresh = (name: string): string => path.join(root, `${name}-${n++}`);

async function makeSource(overrides: Record<number, unknown> = {}): Promise<string> {
  const dir = fresh('clothes');
  await mkdir(dir, { recursive: true });
  for (let label = 0; label < 10; label++) {
    const content = label in overrides ? overrides[label] : { data: classEntries(label) };
    await writeFile(path.join(dir, `${label}.json`), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const small = { perClassTest: TEST, perClassTrain: TRAIN };

let source: string;
let outA: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'build-data-test-'));
  source = await makeSource();
  outA = fresh('out');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('buildData from per-class JSON', () => {
  it('builds the split, drops and reports malformed entries, and the output decodes', async () => {
    const report = await buildData({ sourceDir: source, outDir: outA, ...small });
    expect(report.status).toBe('built');
    expect(report.counts.train).toEqual({ total: 10 * TRAIN, perClass: Array(10).fill(TRAIN) });
    expect(report.counts.test).toEqual({ total: 10 * TEST, perClass: Array(10).fill(TEST) });
    expect(report.dropped.map(({ label, index, reason }) => ({ label, index, reason }))).toEqual(EXPECTED_DROPPED);
    expect(report.dropped[0].className).toBe('T-shirt/top');
    expect(report.caveat).toBe(SPLIT_CAVEAT);

    expect((await readdir(outA)).sort()).toEqual([...Object.values(FASHION_MNIST_FILES), MANIFEST_NAME].sort());

    // Class by class; within a class the first TEST valid images are test, the rest train.
    const test = await decodeOut(outA, 'test');
    const train = await decodeOut(outA, 'train');
    for (const [ds, perClass, first] of [
      [test, TEST, 0],
      [train, TRAIN, TEST],
    ] as const) {
      expect([ds.count, ds.rows, ds.cols]).toEqual([10 * perClass, 28, 28]);
      for (let i = 0; i < ds.count; i++) {
        const label = Math.floor(i / perClass);
        const serial = first + (i % perClass);
        expect(ds.labels[i]).toBe(label);
        expect(Array.from(ds.images.subarray(i * 784, (i + 1) * 784))).toEqual(image(label, serial));
      }
    }
  });

  it('writes a manifest whose sizes and hashes match the files', async () => {
    const manifest = JSON.parse(await readFile(path.join(outA, MANIFEST_NAME), 'utf8')) as Manifest;
    const files = await readOut(outA);
    for (const f of manifest.files) {
      expect(f.bytes).toBe(files[f.key].byteLength);
      expect(f.sha256).toBe(sha256(files[f.key]));
      expect(f.rawSha256).toBe(sha256(await gunzip(files[f.key], f.name)));
    }
    expect(manifest.dataset).toBe('fashion');
    expect(manifest.source).toMatchObject({
      kind: 'npm',
      split: { kind: 'first-per-class', perClassTest: TEST, perClassTrain: TRAIN },
    });
    expect(manifest.dropped).toHaveLength(EXPECTED_DROPPED.length);
    // Served with the data: no local paths, only ones relative to the repository.
    expect(manifest.inputs?.length).toBeGreaterThan(0);
    for (const input of manifest.inputs ?? []) expect(path.isAbsolute(input.path), input.path).toBe(false);
  });

  it('writes gzip headers with MTIME 0 and a fixed OS byte', async () => {
    for (const bytes of Object.values(await readOut(outA))) {
      expect(Array.from(bytes.subarray(0, 10))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, bytes[8], 255]);
    }
  });

  it('is byte-identical when built again into another folder', async () => {
    const outB = fresh('out');
    const report = await buildData({ sourceDir: source, outDir: outB, ...small });
    expect(report.status).toBe('built');
    const a = await readOut(outA);
    const b = await readOut(outB);
    for (const key of Object.keys(a) as FileKey[]) {
      expect(Buffer.from(b[key]).equals(Buffer.from(a[key])), key).toBe(true);
    }
  });

  it('says up to date without reading the sources when nothing changed', async () => {
    const out = fresh('out');
    const src = await makeSource();
    await buildData({ sourceDir: src, outDir: out, ...small });
    const before = (await stat(path.join(out, FASHION_MNIST_FILES.trainImages))).mtimeMs;
    // Same size, but no longer JSON: a build that parsed the sources would fail.
    const file = path.join(src, '3.json');
    const size = (await stat(file)).size;
    await writeFile(file, 'x'.repeat(size));

    const again = await buildData({ sourceDir: src, outDir: out, ...small });
    expect(again.status).toBe('up-to-date');
    expect(again.counts.train.total).toBe(10 * TRAIN);
    expect(again.dropped).toHaveLength(EXPECTED_DROPPED.length);
    expect((await stat(path.join(out, FASHION_MNIST_FILES.trainImages))).mtimeMs).toBe(before);
    expect(formatReport(again)).toMatch(/up to date/);

    // --force does read them.
    const err = await expectBuildError({ sourceDir: src, outDir: out, ...small, force: true });
    expect(err.message).toMatch(/3\.json: not valid JSON/);
  });

  it('rebuilds when an output is missing or has the wrong size, or the options or sources change', async () => {
    const out = fresh('out');
    const src = await makeSource();
    const opts = { sourceDir: src, outDir: out, ...small };
    expect((await buildData(opts)).status).toBe('built');
    expect((await buildData(opts)).status).toBe('up-to-date');

    await truncate(path.join(out, FASHION_MNIST_FILES.testImages), 10);
    expect((await buildData(opts)).status).toBe('built');
    expect((await decodeOut(out, 'test')).count).toBe(10 * TEST);

    await rm(path.join(out, FASHION_MNIST_FILES.trainLabels));
    expect((await buildData(opts)).status).toBe('built');

    await rm(path.join(out, MANIFEST_NAME));
    expect((await buildData(opts)).status).toBe('built');

    const other = await buildData({ ...opts, perClassTest: 1, perClassTrain: 4 });
    expect(other.status).toBe('built');
    expect(other.counts.test.total).toBe(10);

    // A source file changes size: rebuilt (and here, refused: class 6 now has 6 valid images).
    await writeFile(path.join(src, '6.json'), JSON.stringify({ data: classEntries(6, PER_CLASS + 1) }));
    const err = await expectBuildError({ ...opts, perClassTest: 1, perClassTrain: 4 });
    expect(err.message).toContain('class 6 (Shirt) has 6 valid images');
  });

  it('fails, naming the class and its count, when a class has too few or too many valid images', async () => {
    const src = await makeSource({
      4: { data: classEntries(4, PER_CLASS - 1) },
      7: { data: classEntries(7, PER_CLASS + 2) },
    });
    const out = fresh('out');
    const err = await expectBuildError({ sourceDir: src, outDir: out, ...small });
    expect(err.message).toContain('class 4 (Coat) has 4 valid images; need exactly 5 (2 test + 3 train)');
    expect(err.message).toContain('class 7 (Sneaker) has 7 valid images');
    expect(err.message).not.toContain('class 5');
    await expect(stat(path.join(out, MANIFEST_NAME))).rejects.toThrow();
  });

  it('counts the malformed entries it dropped when a class comes up short', async () => {
    const entries = classEntries(0).slice(0, -1); // drop the last good image of class 0
    const src = await makeSource({ 0: { data: entries } });
    const err = await expectBuildError({ sourceDir: src, outDir: fresh('out'), ...small });
    expect(err.message).toContain('class 0 (T-shirt/top) has 4 valid images (after dropping 6 malformed)');
  });

  it('fails on a missing class file or one that is not { data: [...] }', async () => {
    const src = await makeSource({ 8: { images: [] } });
    await rm(path.join(src, '7.json'));
    const err = await expectBuildError({ sourceDir: src, outDir: fresh('out'), ...small });
    expect(err.message).toMatch(/7\.json: cannot read class 7 \(Sneaker\)/);
    await writeFile(path.join(src, '7.json'), JSON.stringify({ data: classEntries(7) }));
    const err8 = await expectBuildError({ sourceDir: src, outDir: fresh('out'), ...small });
    expect(err8.message).toMatch(/8\.json: expected an object \{ data: number\[\]\[\] \} for class 8 \(Bag\)/);
  });
});

describe('malformedReason', () => {
  it('accepts exactly 784 integers in 0–255 and explains everything else', () => {
    expect(malformedReason(image(1, 1))).toBeNull();
    expect(malformedReason(Array(784).fill(255))).toBeNull();
    expect(malformedReason(Array(784).fill(0))).toBeNull();
    expect(malformedReason(bad.empty)).toMatch(/empty/);
    expect(malformedReason([...image(1, 1), 0])).toBe('785 values (expected 784)');
    expect(malformedReason({})).toBe('not an array (object)');
    expect(malformedReason('abc')).toBe('not an array (string)');
    expect(malformedReason(image(1, 1).map((v, p) => (p === 5 ? null : v)))).toBe(
      'value null at pixel 5 is not a number',
    );
    expect(malformedReason(image(1, 1).map((v, p) => (p === 6 ? Number.NaN : v)))).toMatch(/NaN at pixel 6/);
  });
});

describe('buildData --from (official files)', () => {
  const officialDir = () => copiedOfficial(outA, fresh('official'));

  it('refuses files whose MD5 is not the published one, naming each file and both hashes', async () => {
    const { dir, md5s } = await officialDir();
    const out = fresh('out');
    const err = await expectBuildError({ fromDir: dir, outDir: out });
    expect(err).toBeInstanceOf(BuildDataError);
    for (const key of Object.keys(FASHION_MNIST_FILES) as FileKey[]) {
      expect(err.message).toContain(
        `${FASHION_MNIST_FILES[key]}: MD5 ${md5s[key]} does not match the published MD5 ${OFFICIAL_MD5[key]}`,
      );
    }
    await expect(readdir(out)).rejects.toThrow(); // nothing written
  });

  it('refuses a missing file, naming it', async () => {
    const { dir, md5s } = await officialDir();
    await rm(path.join(dir, FASHION_MNIST_FILES.testLabels));
    const err = await expectBuildError({ fromDir: dir, outDir: fresh('out'), expectedMd5: md5s });
    expect(err.message).toContain(`t10k-labels-idx1-ubyte.gz: missing`);
    expect(err.message).toContain(`expected MD5 ${md5s.testLabels}`);
    expect(err.message).not.toContain('train-images-idx3-ubyte.gz');
  });

  it('with matching MD5s, validates and copies the files as they are', async () => {
    const { dir, md5s } = await officialDir();
    const out = fresh('out');
    const report = await buildData({ fromDir: dir, outDir: out, expectedMd5: md5s });
    expect(report.status).toBe('built');
    expect(report.source.kind).toBe('official');
    expect(report.caveat).toBeNull();
    expect(report.counts.train.perClass).toEqual(Array(10).fill(TRAIN));
    const copied = await readOut(out);
    for (const [key, name] of Object.entries(FASHION_MNIST_FILES) as [FileKey, string][]) {
      expect(Buffer.from(copied[key]).equals(await readFile(path.join(dir, name))), key).toBe(true);
    }
    // A plain run (no --source) keeps the official files instead of rebuilding from the package.
    const plain = await buildData({ outDir: out });
    expect(plain.status).toBe('up-to-date');
    expect(plain.source.kind).toBe('official');
    // So does one whose manifest was written before MNIST (no dataset field): it was Fashion-MNIST's.
    const manifestFile = path.join(out, MANIFEST_NAME);
    const legacy = JSON.parse(await readFile(manifestFile, 'utf8')) as Partial<Manifest>;
    delete legacy.dataset;
    await writeFile(manifestFile, JSON.stringify(legacy));
    expect(await buildData({ outDir: out })).toMatchObject({ status: 'up-to-date', dataset: 'fashion' });
    // An explicit --source replaces them.
    const replaced = await buildData({ outDir: out, sourceDir: source, ...small });
    expect(replaced.status).toBe('built');
    expect(replaced.source.kind).toBe('npm');
  });

  it('with matching MD5s, still refuses a file that does not decode, naming it', async () => {
    const { dir } = await officialDir();
    const name = FASHION_MNIST_FILES.trainLabels;
    // A valid gzip of a label file whose labels run past 9.
    const labels = Uint8Array.from({ length: 10 * TRAIN }, (_, i) => (i === 4 ? 11 : 0));
    const idx = new Uint8Array(8 + labels.length);
    new DataView(idx.buffer).setUint32(0, 2049);
    new DataView(idx.buffer).setUint32(4, labels.length);
    idx.set(labels, 8);
    await writeFile(path.join(dir, name), gzipSync(idx));
    const md5s = {} as Record<FileKey, string>;
    for (const [key, n2] of Object.entries(FASHION_MNIST_FILES) as [FileKey, string][]) {
      md5s[key] = md5(new Uint8Array(await readFile(path.join(dir, n2))));
    }
    const err = await expectBuildError({ fromDir: dir, outDir: fresh('out'), expectedMd5: md5s });
    expect(err).toBeInstanceOf(DataFileError);
    expect(err.message).toBe('train-labels-idx1-ubyte.gz: label 11 at index 4 is outside 0–9');
  });
});

describe('parseBuildDataArgs', () => {
  it('parses the options', () => {
    const none = { fromDir: undefined, sourceDir: undefined, outDir: undefined, perClassTest: undefined, perClassTrain: undefined };
    expect(
      parseBuildDataArgs(['--source', 's', '--out', 'o', '--per-class-test', '2', '--per-class-train', '30', '--force']),
    ).toEqual([{ dataset: 'fashion', sourceDir: 's', outDir: 'o', perClassTest: 2, perClassTrain: 30, force: true, fromDir: undefined }]);
    // No options: every dataset, in order.
    expect(parseBuildDataArgs([])).toEqual([
      { dataset: 'fashion', ...none, force: false },
      { dataset: 'mnist', ...none, force: false },
    ]);
    expect(parseBuildDataArgs(['--force'])?.map((o) => [o.dataset, o.force])).toEqual([['fashion', true], ['mnist', true]]);
    expect(parseBuildDataArgs(['--dataset', 'mnist'])).toEqual([{ dataset: 'mnist', ...none, force: false }]);
    expect(parseBuildDataArgs(['--dataset', 'mnist', '--dataset', 'fashion'])?.map((o) => o.dataset)).toEqual(['mnist', 'fashion']);
    // --from names one dataset's files: fashion unless --dataset says otherwise.
    expect(parseBuildDataArgs(['--from', root])?.map((o) => [o.dataset, o.fromDir])).toEqual([['fashion', root]]);
    expect(parseBuildDataArgs(['--dataset', 'mnist', '--from', root])?.map((o) => [o.dataset, o.fromDir])).toEqual([['mnist', root]]);
    expect(parseBuildDataArgs(['--help'])).toBeNull();
  });

  it('rejects bad input', () => {
    expect(() => parseBuildDataArgs(['--per-class-test', '0'])).toThrow(/--per-class-test must be a positive integer/);
    expect(() => parseBuildDataArgs(['--per-class-train', '1.5'])).toThrow(BuildDataError);
    expect(() => parseBuildDataArgs(['--bogus'])).toThrow(BuildDataError);
    expect(() => parseBuildDataArgs(['--from', root, '--source', 'x'])).toThrow(/cannot be combined/);
    expect(() => parseBuildDataArgs(['--from', path.join(root, 'nope')])).toThrow(/no such folder/);
    expect(() => parseBuildDataArgs(['--dataset', 'digits'])).toThrow(/--dataset must be one of fashion, mnist, got "digits"/);
    expect(() => parseBuildDataArgs(['--dataset', 'mnist', '--per-class-test', '2'])).toThrow(/are for fashion/);
    expect(() => parseBuildDataArgs(['--dataset', 'mnist', '--dataset', 'fashion', '--out', 'o'])).toThrow(/give one --dataset/);
  });
});

describe('the CLI (scripts/build-data.ts)', () => {
  const run = promisify(execFile);
  const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
  const script = path.join(REPO, 'scripts', 'build-data.ts');

  it('builds and prints what it made, from where, the dropped entries and the caveat', async () => {
    const out = fresh('out');
    const args = [script, '--source', source, '--out', out, '--per-class-test', '2', '--per-class-train', '3'];
    const { stdout } = await run(tsx, args, { cwd: REPO });
    expect(stdout).toContain('Fashion-MNIST data built in');
    expect(stdout).toContain('train-images-idx3-ubyte.gz');
    expect(stdout).toContain('train 30 (3 per class), test 20 (2 per class)');
    expect(stdout).toContain('dropped 7 malformed entries');
    expect(stdout).toContain('class 0 (T-shirt/top), index 1: empty (0 values, expected 784)');
    expect(stdout).toContain(SPLIT_CAVEAT);
    const again = await run(tsx, args, { cwd: REPO });
    expect(again.stdout).toContain('up to date');
  });

  it('exits non-zero naming the file and both hashes when --from files do not match', async () => {
    const dir = fresh('official');
    await mkdir(dir);
    await writeFile(path.join(dir, FASHION_MNIST_FILES.trainImages), 'not the real thing');
    const result = await run(tsx, [script, '--from', dir, '--out', fresh('out')], { cwd: REPO }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(result?.code).toBe(1);
    expect(result?.stderr).toContain(
      `train-images-idx3-ubyte.gz: MD5 ${md5(new TextEncoder().encode('not the real thing'))} does not match the published MD5 ${OFFICIAL_MD5.trainImages}`,
    );
    expect(result?.stderr).toContain('t10k-labels-idx1-ubyte.gz: missing');
  });
});
