/**
 * Replacing a backend's kernels and putting them back, and calling a
 * backend's kernels directly, for the training kernels of ../wasm, ../cpu,
 * ../webgl and ../webgpu. tfjs's kernel registry is the only state:
 * each config registered here carries a marker holding the kernel it
 * replaced.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

interface OurKernelConfig extends KernelConfig {
  readonly lenetTraining: { readonly replaced: KernelConfig | undefined };
}

function isOurs(config: KernelConfig | undefined): config is OurKernelConfig {
  return config !== undefined && 'lenetTraining' in config;
}

/** Whether the kernel registered under this name for this backend is one from here. */
export function isOurKernel(kernelName: string, backendName: string): boolean {
  return isOurs(getKernel(kernelName, backendName));
}

/** The backend's own kernel for this name, looking through ours. */
function backendKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  const current = getKernel(kernelName, backendName);
  return isOurs(current) ? current.lenetTraining.replaced : current;
}

/**
 * Registers `make(the backend's own kernel)` under `kernelName` for
 * `backendName`; when `enabled` is false or `make` returns undefined, puts
 * the backend's own kernel back instead.
 */
export function installKernel(
  backendName: string,
  kernelName: string,
  enabled: boolean,
  make: (replaced: KernelConfig | undefined) => KernelFunc | undefined,
): void {
  const replaced = backendKernel(kernelName, backendName);
  const kernelFunc = enabled ? make(replaced) : undefined;
  if (getKernel(kernelName, backendName) !== undefined) unregisterKernel(kernelName, backendName);
  if (kernelFunc === undefined) {
    if (replaced !== undefined) registerKernel(replaced);
    return;
  }
  const config: OurKernelConfig = {
    kernelName,
    backendName,
    kernelFunc,
    // The replaced kernel may bind backend functions in its setup (wasm);
    // keep that so the fallback also works when this runs before the
    // backend initialises.
    setupFunc: replaced?.setupFunc,
    disposeFunc: replaced?.disposeFunc,
    lenetTraining: { replaced },
  };
  registerKernel(config);
}

/** Runs the kernel a replacement stands in for, for the cases the replacement leaves out. */
export function callReplaced(
  kernelName: string,
  backendName: string,
  replaced: KernelConfig | undefined,
  args: Parameters<KernelFunc>[0],
): ReturnType<KernelFunc> {
  if (replaced === undefined) throw new Error(`${kernelName} (${backendName}): the backend has no kernel for this case.`);
  return replaced.kernelFunc(args);
}

export function singleOutput(kernelName: string, out: TensorInfo | TensorInfo[]): TensorInfo {
  if (Array.isArray(out)) throw new Error(`training kernels: ${kernelName} returned several tensors.`);
  return out;
}

/**
 * Runs the kernel registered for `backendName` under `kernelName` on that
 * backend's tensors, outside the engine (the caller frees what it returns);
 * returns its single output.
 */
export function callBackendKernel(
  backendName: string,
  kernelName: string,
  backend: unknown,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = getKernel(kernelName, backendName);
  if (kernel === undefined) throw new Error(`training kernels: the ${backendName} backend has no ${kernelName} kernel.`);
  return singleOutput(kernelName, kernel.kernelFunc({ inputs, backend, attrs } as unknown as Parameters<KernelFunc>[0]));
}
