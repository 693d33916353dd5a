// `npm run data`. When nothing changed since the last build (each manifest
// lists every input with its size, and hash where cheap), say so at once:
// starting TypeScript alone takes about a second. Otherwise, or with any
// argument, run the real build (scripts/build-data.ts), for the stale
// datasets only.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// As src/core/data/datasets.ts names them; plain JS cannot import it without TypeScript.
const DATASETS = [
  { name: 'fashion', label: 'Fashion-MNIST', folder: 'fashion-mnist' },
  { name: 'mnist', label: 'MNIST digits', folder: 'mnist' },
];

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
}

function upToDate(outDir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
  } catch {
    return false;
  }
  const outputsIntact = Array.isArray(manifest.files) && manifest.files.length === 4 &&
    manifest.files.every((file) => sizeOf(join(outDir, file.name)) === file.bytes);
  if (!outputsIntact) return false;
  // Official files installed with --from are kept by a plain run, as the build does.
  if (manifest.source?.kind === 'official') return true;
  return Array.isArray(manifest.inputs) && manifest.inputs.length > 0 && manifest.inputs.every((input) =>
    sizeOf(resolve(root, input.path)) === input.bytes &&
    (!input.sha256 || createHash('sha256').update(readFileSync(resolve(root, input.path))).digest('hex') === input.sha256));
}

let args = process.argv.slice(2);
let build = true;
if (args.length === 0) {
  const stale = [];
  for (const dataset of DATASETS) {
    const outDir = join(root, 'public', 'data', dataset.folder);
    if (upToDate(outDir)) console.log(`${dataset.label} in ${relative(process.cwd(), outDir) || '.'} is up to date.`);
    else stale.push(dataset);
  }
  build = stale.length > 0;
  if (stale.length < DATASETS.length) args = stale.flatMap((dataset) => ['--dataset', dataset.name]);
}
if (build) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-data.ts'), ...args], {
    stdio: 'inherit',
  });
  process.exitCode = child.status ?? 1;
}
