import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleNodeScripts } from './bundle';

describe('bundleNodeScripts', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('makes one file that starts outside the repo, with no Playwright or Vite in it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lenet-bench-bundle-'));
    await bundleNodeScripts(dir);
    const file = join(dir, 'bench.mjs');
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/from\s*["']@playwright|from\s*["']vite["']/);
    // Outside the repo no node_modules can be found: it starts on what it holds.
    const { stdout } = await promisify(execFile)(process.execPath, [file, '--help'], { cwd: dir });
    expect(stdout).toMatch(/usage: npm run bench/);
    expect(stdout).toMatch(/--backends=LIST/);
  }, 60_000);
});
