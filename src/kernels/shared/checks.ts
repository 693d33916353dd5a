/**
 * Argument checks shared by the training kernels of every backend (see
 * ../wasm, ../cpu, ../webgl and ../webgpu). `opName` names the kernel and
 * backend in messages, e.g. "Conv2DBackpropFilter (cpu)".
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';

export type Shape4 = [number, number, number, number];

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Throws a clear error for what the conv kernels here do not support. */
export function checkConvArgs(
  opName: string,
  attrs: NamedAttrMap | undefined,
  dataFormat: string | undefined,
  tensors: Record<string, TensorInfo>,
): void {
  const dilations = (attrs as { dilations?: number | number[] } | undefined)?.dilations;
  if (dilations !== undefined && dilations !== null) {
    const d = Array.isArray(dilations) ? dilations : [dilations, dilations];
    if (d.some((v) => v !== 1)) {
      throw new Error(`${opName}: dilations other than 1 are not supported, got [${d.join(', ')}].`);
    }
  }
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${opName}: only dataFormat 'NHWC' is supported, got '${dataFormat}'.`);
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'float32') throw new Error(`${opName}: ${name} must be float32, got ${t.dtype}.`);
    if (t.shape.length !== 4) {
      throw new Error(`${opName}: ${name} must be rank 4, got [${t.shape.join(', ')}].`);
    }
  }
}

/**
 * The forward convolution a backward kernel belongs to, NHWC, dilation 1;
 * throws when dy does not have that convolution's output shape.
 */
export function backwardConvInfo(
  opName: string,
  inputShape: Shape4,
  filterShape: Shape4,
  attrs: {
    strides: number | [number, number];
    pad: Parameters<typeof backend_util.computeConv2DInfo>[4];
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  },
  dy: TensorInfo,
): backend_util.Conv2DInfo {
  const info = backend_util.computeConv2DInfo(
    inputShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  if (!sameShape(dy.shape, info.outShape)) {
    throw new Error(`${opName}: dy has shape [${dy.shape.join(', ')}], expected [${info.outShape.join(', ')}].`);
  }
  return info;
}

/**
 * A Conv2DBackpropFilter kernel's inputs and the forward convolution they
 * belong to, checked as above; what every backend's filter gradient starts with.
 */
export function filterGradArgs(
  opName: string,
  args: Parameters<KernelFunc>[0],
): { x: TensorInfo; dy: TensorInfo; info: backend_util.Conv2DInfo } {
  const { x, dy } = args.inputs as { x?: TensorInfo; dy?: TensorInfo };
  if (x === undefined || dy === undefined) throw new Error(`${opName}: needs inputs x and dy.`);
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  checkConvArgs(opName, args.attrs, attrs.dataFormat, { x, dy });
  return { x, dy, info: backwardConvInfo(opName, x.shape as Shape4, attrs.filterShape, attrs, dy) };
}
