/**
 * Lets tfjs-backend-wasm's threaded build survive bundling and minification.
 *
 * tfjs starts each WebAssembly thread (a pthread worker) by sending it the
 * source of the Emscripten factory function, `factory.toString()`. That
 * function reads one variable from the module around it, `_scriptDir`; the
 * minifier renames that variable outside the function, so in the thread the
 * name is undefined and the thread dies ("e is not defined", tfjs issue
 * #4107). tfjs always passes the factory's source as `mainScriptUrlOrBlob`
 * and its own file locations through `locateFile`, so the two reads of
 * `_scriptDir` are not needed: drop them and the function stands alone.
 *
 * Also, tfjs caps its thread pool at half of navigator.hardwareConcurrency
 * (it assumes two hyperthreads per core), which on a 2-core laptop or VM is a
 * single thread. The count reported to it is doubled so the cap is the real
 * number of logical cores; the app picks the count with setThreadsCount
 * (and only that many thread workers are started, not tfjs's fixed eight).
 */
import type { Plugin } from 'vite';

const THREADED_FACTORY = /tfjs-backend-wasm-threaded-simd\.js$/;

const EDITS: readonly (readonly [string, string])[] = [
  ['if(typeof _scriptDir !== "undefined" && _scriptDir){scriptDirectory=_scriptDir}', ''],
  ['"urlOrBlob":Module["mainScriptUrlOrBlob"]||_scriptDir', '"urlOrBlob":Module["mainScriptUrlOrBlob"]'],
  [
    'function _emscripten_num_logical_cores(){if(ENVIRONMENT_IS_NODE)return require("os").cpus().length;return navigator["hardwareConcurrency"]}',
    'function _emscripten_num_logical_cores(){return 2*navigator["hardwareConcurrency"]}',
  ],
  // Eight pthread workers start with the backend, each loading the factory
  // source and the module: seconds of a cold start on a 2-core machine that
  // can use two. One per logical core is as many as the app asks for.
  ['var pthreadPoolSize=8;', 'var pthreadPoolSize=Math.min(8,navigator["hardwareConcurrency"]||1);'],
];

/** The factory's source with the outside reads removed; throws if tfjs changed shape. */
export function detachThreadedFactory(source: string, file = 'tfjs-backend-wasm-threaded-simd.js'): string {
  let code = source;
  for (const [from, to] of EDITS) {
    if (!code.includes(from)) {
      throw new Error(`${file}: expected "${from}" — tfjs-backend-wasm changed; revisit scripts/vite/wasmThreadsPlugin.ts`);
    }
    code = code.replace(from, to);
  }
  return code;
}

export function wasmThreadsPlugin(): Plugin {
  return {
    name: 'lenet:tfjs-wasm-threads',
    transform(code, id) {
      if (!THREADED_FACTORY.test(id.split('?')[0])) return null;
      return { code: detachThreadedFactory(code, id), map: null };
    },
  };
}
