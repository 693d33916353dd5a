/**
 * `npm run gpu-kit`: packs into .gpu-kit/ (git-ignored) what
 * `npm run bench -- --node --backends=webgpu` needs on a Linux x86-64 GPU
 * machine that has neither network nor Node nor this repo's node_modules
 * (the project's lent device machines):
 *
 *   bench/bench.mjs          scripts/bench.ts, Node path only, bundled with esbuild
 *   bench/check-compiled-step.mjs  scripts/check-compiled-step.ts (the compiled WebGPU step against tfjs's cpu backend)
 *   bench/shared-*.mjs       what those two share (tfjs, the core), once
 *   node.xz                  this machine's Node binary
 *   node_modules/webgpu/     Dawn for linux-x64 (the optional npm package `webgpu`), dawn.node xz-compressed
 *   lib/libvulkan.so.1       a Vulkan loader, used there only when the machine has none
 *   debs/                    Debian's Vulkan loader and GL dispatch packages, which NVIDIA's Vulkan
 *                            driver loads; run.sh unpacks them on a GPU machine that lacks them
 *   run.sh                   unpacks all that and runs the bench (scripts/gpu-kit/run.sh)
 *
 * It needs Dawn here first: `npm install --no-save webgpu@0.6.2`. Copy the
 * kit and public/data/ to the GPU machine's checkout (about 60 MB in all) and
 * run `bash .gpu-kit/run.sh` from the checkout's root. The bundle sits two
 * folders below the root on purpose: the bundled modules find the dataset
 * (public/data) and the root relative to their own folder, as
 * scripts/lib/node.ts and scripts/bench/node.ts do unbundled.
 */
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DAWN_INSTALL, DAWN_PACKAGE } from '../lib/node';
import { runProcess } from '../bench/processes';
import { bundleNodeScripts } from './bundle';

const ROOT = join(import.meta.dirname, '..', '..');
const KIT = join(ROOT, '.gpu-kit');
/** Where Debian's Chromium keeps its own Vulkan loader; any libvulkan.so.1 will do. */
const VULKAN_LOADERS = ['/usr/lib/chromium/libvulkan.so.1', '/usr/lib/x86_64-linux-gnu/libvulkan.so.1'];

/**
 * What the project's GPU machines lack for Vulkan (the device tool's notes,
 * /work/.library/device/README.md, list these as what made Vulkan run there).
 */
const GL_PACKAGES = ['libvulkan1', 'libegl1', 'libglvnd0', 'libopengl0', 'libgl1', 'libglx0', 'libgles2'];

/** `apt-get download` for amd64 into `dir`, with package lists of its own; false where apt cannot. */
async function downloadDebs(dir: string): Promise<boolean> {
  const lists = join(tmpdir(), 'lenet-gpu-kit-apt');
  await mkdir(join(lists, 'partial'), { recursive: true });
  const options = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`];
  try {
    await runProcess('apt-get', [...options, 'update'], { stdio: ['ignore', 'ignore', 'ignore'] });
    await mkdir(dir, { recursive: true });
    await runProcess('apt-get', [...options, 'download', ...GL_PACKAGES], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
    return true;
  } catch {
    await rm(dir, { recursive: true, force: true });
    return false;
  }
}

async function xz(from: string, to: string): Promise<void> {
  const out = openSync(to, 'w');
  try {
    await runProcess('xz', ['-T0', '-6', '-c', from], { stdio: ['ignore', out, 'inherit'] });
  } finally {
    closeSync(out);
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const fileMib = async (file: string) => mib((await stat(file)).size);

async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function main(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('the kit is for Linux x86-64: pack it on such a machine');
  let dawnEntry: string;
  try {
    dawnEntry = createRequire(import.meta.url).resolve(DAWN_PACKAGE);
  } catch {
    throw new Error(`Dawn is not installed here: run \`${DAWN_INSTALL}\` first`);
  }
  const dawnDir = dirname(dawnEntry);
  if (!existsSync(join(ROOT, 'public', 'data', 'fashion-mnist', 'manifest.json'))) throw new Error('no dataset: run `npm run data` first');

  await rm(KIT, { recursive: true, force: true });
  await bundleNodeScripts(join(KIT, 'bench'));

  const dawnOut = join(KIT, 'node_modules', DAWN_PACKAGE);
  await mkdir(join(dawnOut, 'dist', 'linux-x64'), { recursive: true });
  for (const file of ['package.json', 'index.js', 'LICENSE.md']) await copyFile(join(dawnDir, file), join(dawnOut, file));
  await xz(join(dawnDir, 'dist', 'linux-x64', 'dawn.node'), join(dawnOut, 'dist', 'linux-x64', 'dawn.node.xz'));
  await xz(process.execPath, join(KIT, 'node.xz'));

  const loader = VULKAN_LOADERS.find((file) => existsSync(file));
  if (loader) {
    await mkdir(join(KIT, 'lib'));
    await copyFile(loader, join(KIT, 'lib', 'libvulkan.so.1'));
  } else {
    console.warn('warning: no libvulkan.so.1 here; the GPU machine must have its own Vulkan loader');
  }
  if (!(await downloadDebs(join(KIT, 'debs')))) {
    console.warn(`warning: apt-get could not download ${GL_PACKAGES.join(' ')}; the GPU machine must have them`);
  }
  await copyFile(join(import.meta.dirname, 'run.sh'), join(KIT, 'run.sh'));

  // The bundle must start on its own: everything but Dawn is inside it.
  await runProcess(process.execPath, [join(KIT, 'bench', 'bench.mjs'), '--help'], { cwd: KIT, stdio: ['ignore', 'ignore', 'inherit'] });

  console.log(`packed ${KIT}: bench and step check ${mib(await bytesUnder(join(KIT, 'bench')))}, node ${await fileMib(join(KIT, 'node.xz'))}, ` +
    `Dawn ${await fileMib(join(dawnOut, 'dist', 'linux-x64', 'dawn.node.xz'))}${loader ? `, Vulkan loader from ${loader}` : ''}`);
  // The bench reads Fashion-MNIST only.
  const carried = (await bytesUnder(KIT)) + (await bytesUnder(join(ROOT, 'public', 'data', 'fashion-mnist')));
  console.log(`.gpu-kit/ and public/data/fashion-mnist/ together: ${mib(carried)}. On the GPU machine, from the checkout's root with both ` +
    'copied in: bash .gpu-kit/run.sh');
}

try {
  await main();
} catch (error) {
  console.error(`npm run gpu-kit: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
