/**
 * Conv2D and FusedConv2D for tfjs-backend-wasm by our SIMD direct
 * convolution (./simd/convSimd.ts), for float32 NHWC with dilation 1 and, for
 * the fused form, no activation or relu. Everything else (and a backend whose
 * heap cannot be imported) goes to the replaced kernel.
 */
import { backend_util, Conv2D, FusedConv2D } from '@tensorflow/tfjs';
import type { Conv2DAttrs, FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { callReplaced } from '../shared/registry';
import { asWasmBackend, WASM } from './backend';
import { conv2dSimd } from './simd/convSimd';

function convInfo(x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs): backend_util.Conv2DInfo | undefined {
  const dilations = attrs.dilations ?? 1;
  const plain = Array.isArray(dilations) ? dilations.every((d) => d === 1) : dilations === 1;
  const shapes = x.shape.length === 4 && filter.shape.length === 4;
  if (!plain || !shapes || attrs.dataFormat !== 'NHWC' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  return backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
}

export function makeConv2D(replaced: KernelConfig | undefined): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    const info = convInfo(x, filter, args.attrs as unknown as Conv2DAttrs);
    const out = info && conv2dSimd(asWasmBackend(args.backend), x, filter, info, undefined, false);
    return out ?? callReplaced(Conv2D, WASM, replaced, args);
  };
}

export function makeFusedConv2D(replaced: KernelConfig | undefined): KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as FusedConv2DAttrs;
    const activation = attrs.activation ?? 'linear';
    const supported =
      x !== undefined && filter !== undefined && preluActivationWeights === undefined &&
      (activation === 'linear' || activation === 'relu') &&
      (bias === undefined || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === filter.shape[3]));
    const info = supported ? convInfo(x, filter, attrs) : undefined;
    const out = info && conv2dSimd(asWasmBackend(args.backend), x!, filter!, info, bias, activation === 'relu');
    return out ?? callReplaced(FusedConv2D, WASM, replaced, args);
  };
}
