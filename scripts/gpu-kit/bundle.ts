/**
 * The Node path of `npm run bench`, and the compiled step's check, each as
 * one file that runs without node_modules, for the GPU kit (./pack.ts). Only
 * Dawn (the optional package `webgpu`, a native module) stays outside; the
 * browser runner, which needs Playwright and Vite, is left out:
 * scripts/bench.ts imports it only in browser mode.
 */
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { DAWN_PACKAGE } from '../lib/node';

const browserRunnerLeftOut: Plugin = {
  name: 'browser-runner-left-out',
  setup(builder) {
    builder.onResolve({ filter: /\/bench\/browser$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * scripts/bench.ts and scripts/check-compiled-step.ts bundled into `outdir`
 * as bench.mjs and check-compiled-step.mjs, with what they share (tfjs, the
 * core) in one chunk beside them, so the kit carries it once.
 */
export async function bundleNodeScripts(outdir: string): Promise<void> {
  await build({
    entryPoints: ['bench.ts', 'check-compiled-step.ts'].map((script) => join(import.meta.dirname, '..', script)),
    outdir, splitting: true, chunkNames: 'shared-[hash]', outExtension: { '.js': '.mjs' },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', minify: true, logLevel: 'warning',
    external: [DAWN_PACKAGE],
    plugins: [browserRunnerLeftOut],
    // tfjs's CommonJS parts call require() for Node's built-ins.
    banner: { js: "import { createRequire as kitRequire } from 'node:module'; const require = kitRequire(import.meta.url);" },
  });
}
