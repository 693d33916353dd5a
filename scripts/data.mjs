// `npm run data`. When nothing changed since the last build (the manifest
// lists every input with its size, and hash where cheap), say so at once:
// starting TypeScript alone takes about a second. Otherwise, or with any
// argument, run the real build (scripts/build-data.ts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'data', 'fashion-mnist');

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
}

function upToDate() {
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

const args = process.argv.slice(2);
if (args.length === 0 && upToDate()) {
  console.log(`Fashion-MNIST in ${outDir} is up to date.`);
} else {
  const build = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-data.ts'), ...args], {
    stdio: 'inherit',
  });
  process.exitCode = build.status ?? 1;
}
