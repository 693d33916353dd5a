import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { detachThreadedFactory } from './wasmThreadsPlugin';

const require = createRequire(import.meta.url);
const factoryFile = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');

describe('detachThreadedFactory', () => {
  const source = readFileSync(factoryFile, 'utf8');
  const detached = detachThreadedFactory(source);

  it('leaves the factory function (what pthread workers receive) with no reads of the surrounding module', () => {
    // The factory is the function the IIFE returns; tfjs sends its toString() to each thread.
    const factory = new Function(`${detached}; return WasmBackendModuleThreadedSimd;`)() as () => unknown;
    const text = factory.toString();
    expect(text).toContain('ENVIRONMENT_IS_PTHREAD');
    expect(text).not.toContain('_scriptDir');
  });

  it('lets the threads use every logical core (tfjs halves the count it is given)', () => {
    expect(detached).toContain('function _emscripten_num_logical_cores(){return 2*navigator["hardwareConcurrency"]}');
    expect(detached).toContain('var pthreadPoolSize=Math.min(8,navigator["hardwareConcurrency"]||1);');
  });

  it('fails the build, naming this plugin, when tfjs changes the code it edits', () => {
    expect(() => detachThreadedFactory(source.replace('||_scriptDir', '||scriptDir'), 'x.js'))
      .toThrow(/x\.js: expected .*wasmThreadsPlugin/);
  });
});
