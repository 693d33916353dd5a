/**
 * The smallest kernel that lets stock tfjs-backend-wasm train a conv net.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` at all, so without
 * some kernel for it `model.fit` cannot train a conv net on 'wasm' (the first
 * backward pass throws). This one is what a tutorial user would copy from the
 * tfjs issue tracker: the 2-D filter gradient as the backend's own
 * `Conv3DBackpropFilterV2` on a depth-1 view of the same tensors ('same' or
 * 'valid' padding, stride 1: all LeNet's convolutions need). It is the
 * "tfjs as shipped" baseline of `npm run bench` and of
 * scripts/profile-wasm.ts, not something the app uses: the app registers
 * ./trainingKernels.ts, which is much faster.
 *
 * Coexistence with ./trainingKernels: the config registered here carries a
 * marker. `registerWasmTrainingKernels()` called after this treats it as the
 * backend's own kernel (and `unregisterWasmTrainingKernels()` puts it back);
 * call `unregisterWasmTrainingKernels()` before this for tfjs's own kernels
 * plus this one only.
 */
import { Conv2DBackpropFilter, Conv3DBackpropFilterV2, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { WASM } from './backend';

interface StockKernelConfig extends KernelConfig {
  readonly lenetStockKernel: true;
}

function isStock(config: KernelConfig | undefined): config is StockKernelConfig {
  return config !== undefined && 'lenetStockKernel' in config;
}

const conv2dBackpropFilterAsConv3D: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (a.pad !== 'same' && a.pad !== 'valid') {
    throw new Error(`stock Conv2DBackpropFilter: only 'same' and 'valid' padding, not ${JSON.stringify(a.pad)}`);
  }
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') throw new Error('stock Conv2DBackpropFilter: NHWC only');
  const conv3d = getKernel(Conv3DBackpropFilterV2, WASM);
  if (conv3d === undefined) throw new Error('stock Conv2DBackpropFilter: the wasm backend has no Conv3DBackpropFilterV2');
  const [sh, sw] = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
  // tfjs-backend-wasm 4.22's Conv3DBackpropFilterV2 is wrong for strides > 1
  // (tf.conv3d's filter gradient disagrees with the cpu backend's there too).
  if (sh !== 1 || sw !== 1) throw new Error(`stock Conv2DBackpropFilter: only stride 1, not ${sh}×${sw}`);
  // [N, H, W, C] → [N, 1, H, W, C]: same data, no copy.
  const view = (t: TensorInfo): TensorInfo => ({ dataId: t.dataId, shape: [t.shape[0], 1, t.shape[1], t.shape[2], t.shape[3]], dtype: t.dtype });
  const out = conv3d.kernelFunc({
    inputs: { x: view(x), dy: view(dy) },
    backend,
    attrs: { strides: [1, sh, sw], pad: a.pad, filterShape: [1, ...a.filterShape] },
  }) as TensorInfo;
  // [1, KH, KW, CI, CO] → [KH, KW, CI, CO]
  return { dataId: out.dataId, shape: [...a.filterShape], dtype: out.dtype };
};

/**
 * Makes the stock kernel (see the file comment) the 'wasm' backend's
 * Conv2DBackpropFilter, replacing whatever is registered under that name.
 * Idempotent; before or after `tf.setBackend('wasm')`, after
 * `import '@tensorflow/tfjs-backend-wasm'`.
 */
export function registerStockConv2DBackpropFilter(): void {
  // Registering a name twice throws in tfjs.
  if (getKernel(Conv2DBackpropFilter, WASM) !== undefined) unregisterKernel(Conv2DBackpropFilter, WASM);
  const config: StockKernelConfig = {
    kernelName: Conv2DBackpropFilter,
    backendName: WASM,
    kernelFunc: conv2dBackpropFilterAsConv3D,
    lenetStockKernel: true,
  };
  registerKernel(config);
}

/** Removes the stock kernel if it is the registered one; anything else is left alone. */
export function unregisterStockConv2DBackpropFilter(): void {
  if (isStock(getKernel(Conv2DBackpropFilter, WASM))) unregisterKernel(Conv2DBackpropFilter, WASM);
}

/** Whether the 'wasm' backend's Conv2DBackpropFilter now is the stock one. */
export function stockConv2DBackpropFilterRegistered(): boolean {
  return isStock(getKernel(Conv2DBackpropFilter, WASM));
}
