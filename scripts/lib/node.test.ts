import { describe, expect, it } from 'vitest';
import { DAWN_INSTALL, dawnOptions, installNodeWebGpu } from './node';

describe('installNodeWebGpu', () => {
  it('says how to install Dawn when the optional package is missing', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'webgpu'"));
    await expect(installNodeWebGpu(missing, [])).rejects.toThrow(DAWN_INSTALL);
  });

  it('says what Dawn needs when it finds no adapter, and leaves navigator alone', async () => {
    const before = (globalThis.navigator as Navigator & { gpu?: unknown } | undefined)?.gpu;
    const noAdapter = () => Promise.resolve({
      globals: {},
      create: () => ({ requestAdapter: () => Promise.resolve(null) }),
    });
    await expect(installNodeWebGpu(noAdapter, [])).rejects.toThrow(/no WebGPU adapter.*Vulkan/);
    expect((globalThis.navigator as Navigator & { gpu?: unknown } | undefined)?.gpu).toBe(before);
  });

  it('reads Dawn options from DAWN_OPTIONS and names them', async () => {
    expect(dawnOptions({})).toEqual([]);
    expect(dawnOptions({ DAWN_OPTIONS: 'backend=null, adapter=x' })).toEqual(['backend=null', 'adapter=x']);
    let given: string[] = [];
    const dawn = () => Promise.resolve({
      globals: {},
      create: (options: string[]) => {
        given = options;
        return { requestAdapter: () => Promise.resolve(null) };
      },
    });
    await expect(installNodeWebGpu(dawn, ['backend=null'])).rejects.toThrow(/no WebGPU adapter/);
    expect(given).toEqual(['backend=null']);
  });

  it('puts the adapter on navigator.gpu and describes it', async () => {
    const adapter = { info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100' } };
    const gpu = { requestAdapter: () => Promise.resolve(adapter) };
    const dawn = () => Promise.resolve({ globals: {}, create: () => gpu });
    const navigatorBefore = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const gpuBefore = navigatorBefore ? Object.getOwnPropertyDescriptor(globalThis.navigator, 'gpu') : undefined;
    try {
      await expect(installNodeWebGpu(dawn, [])).resolves.toBe('Dawn under Node, adapter nvidia / hopper / NVIDIA H100');
      expect((globalThis.navigator as Navigator & { gpu?: unknown }).gpu).toBe(gpu);
    } finally {
      if (!navigatorBefore) Reflect.deleteProperty(globalThis, 'navigator');
      else if (gpuBefore) Object.defineProperty(globalThis.navigator, 'gpu', gpuBefore);
      else Reflect.deleteProperty(globalThis.navigator, 'gpu');
    }
  });
});
