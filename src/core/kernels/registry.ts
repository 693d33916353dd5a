/**
 * Replacing a backend's kernels and putting them back, for the training
 * kernels of ../wasm and ../cpu. tfjs's kernel registry is the only state:
 * each config registered here carries a marker holding the kernel it
 * replaced.
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

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
