/**
 * `npm run profile -- [--backends=wasm] [--batch=256] [--steps=10] [--arch=c32k3p1-pool2-…] [--compare=convolution,biasAdd] [--no-build]`:
 * where a training step's time goes, kernel by kernel, in headless Chromium
 * with the app's setup (on wasm: our kernels, SIMD, one thread per core),
 * from src/bench/profile.ts, on the d2l preset or the layers --arch gives (the
 * link's grammar). Prints a table per backend; the first column
 * is milliseconds per step, the rows slowest first. On wasm, --compare first
 * times the step with all our kernels against each named switch of
 * registerWasmTrainingKernels turned off, in alternating rounds.
 */
import { chromium } from '@playwright/test';
import type { BenchPageApi, ProfileReply } from '../src/bench/protocol';
import type { WasmKernelSwitch } from '../src/bench/profile';
import { buildApp, launchOptions, openBenchPage, startPreview } from './bench/browser';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const backends = option('backends', 'wasm').split(',');
const batch = Number(option('batch', '256'));
const steps = Number(option('steps', '10'));
const compare = option('compare', '').split(',').filter(Boolean) as WasmKernelSwitch[];
const arch = option('arch', '') || undefined;
if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(steps) || steps < 1) {
  console.error('npm run profile: --batch and --steps take whole numbers');
  process.exit(2);
}

if (!argv.includes('--no-build')) await buildApp();
const preview = await startPreview();
const browser = await chromium.launch(launchOptions());
try {
  const { page } = await openBenchPage(browser, preview.url);
  for (const backend of backends) {
    const reply: ProfileReply = await page.evaluate(
      (request) => (window as Window & { lenetBench?: BenchPageApi }).lenetBench!.profile(request),
      { backend: backend as ProfileReply['backend'], batch, steps, compare, arch },
    );
    if (!reply.available || !reply.result) {
      console.log(`${backend}: unavailable (${reply.note})`);
      continue;
    }
    const c = reply.comparison;
    if (c !== undefined) {
      console.log(`\n${backend}, batch ${batch}: median ms per step over ${c.rounds} alternating rounds of ${steps} steps`);
      console.log(`  all our kernels      ${c.allMs.toFixed(2)}`);
      for (const o of c.off) console.log(`  ${`${o.kernel} off`.padEnd(20)} ${o.ms.toFixed(2)}  (${o.ratio.toFixed(3)}× the time)`);
    }
    const r = reply.result;
    console.log(`\n${backend} (${reply.note}), batch ${r.batch}, ${r.steps} profiled steps: ${r.stepMs.toFixed(1)} ms per step ` +
      `unprofiled, ${r.profiledStepMs.toFixed(1)} profiled, kernels ${r.kernelMsPerStep.toFixed(1)}`);
    console.log(`${'ms/step'.padStart(8)} ${'share'.padStart(6)} ${'calls'.padStart(6)}  kernel`);
    for (const row of r.rows) {
      if (row.msPerStep < 0.05) continue;
      console.log(`${row.msPerStep.toFixed(2).padStart(8)} ${`${(100 * row.share).toFixed(1)}%`.padStart(6)} ${row.callsPerStep.toFixed(0).padStart(6)}  ${row.kernel}`);
    }
    console.log(JSON.stringify({ profile: backend, note: reply.note, ...r }));
  }
} finally {
  await browser.close();
  await preview.stop();
}
