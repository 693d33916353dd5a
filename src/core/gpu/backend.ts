/**
 * What the GPU training kernels (./conv2d.ts, ./conv2dBackpropFilter.ts) need
 * from tfjs's WebGL and WebGPU backends: running a shader program of ours on
 * their tensors and freeing intermediates.
 */
import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DAttrs, DataId, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { product } from '../kernels/checks';
import type { Shape4 } from '../kernels/checks';

export type GpuBackendName = 'webgl' | 'webgpu';

/** tfjs-backend-webgl's GPGPUProgram: a GLSL main() over the output's coordinates. */
export interface WebGLProgramLike {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  /** Whether inputs are read as 2×2 blocks (vec4) or one value each; tfjs converts them as needed. */
  packedInputs?: boolean;
  /** Whether each output texel holds a 2×2 block of the last two dimensions (setOutput(vec4)). */
  packedOutput?: boolean;
}

/** tfjs-backend-webgpu's WebGPUProgram, the fields a flat elementwise program sets. */
export interface WebGPUProgramLike {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  getUserCode: () => string;
}

/** The parts of MathBackendWebGL and WebGPUBackend used here (each has the one it needs to run). */
export interface GpuBackendLike {
  runWebGLProgram(program: WebGLProgramLike, inputs: TensorInfo[], dtype: 'float32'): TensorInfo;
  runWebGPUProgram(program: WebGPUProgramLike, inputs: TensorInfo[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: DataId): boolean;
}

const WORKGROUP_SIZE: [number, number, number] = [64, 1, 1];

/**
 * A WebGPU program with one thread per output element; `userCode` defines
 * `fn main(index : i32)` and writes with setOutputAtIndex. Constants baked
 * into the code must be part of `shaderKey` (tfjs caches pipelines by it).
 */
export function flatWebGPUProgram(variableNames: string[], outputShape: number[], shaderKey: string, userCode: string): WebGPUProgramLike {
  const size = product(outputShape);
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP_SIZE[0]), 1, 1],
    workgroupSize: WORKGROUP_SIZE,
    size: true,
    getUserCode: () => userCode,
  };
}

/** A convolution's sizes as integer constants for shader code. */
export function convConstants(info: backend_util.Conv2DInfo) {
  return {
    N: info.batchSize, IH: info.inHeight, IW: info.inWidth, CI: info.inChannels,
    OH: info.outHeight, OW: info.outWidth, CO: info.outChannels, FH: info.filterHeight, FW: info.filterWidth,
    SH: info.strideHeight, SW: info.strideWidth, PT: info.padInfo.top, PL: info.padInfo.left,
  };
}

/**
 * A Conv2D or FusedConv2D kernel call's x, filter and convolution, when it is
 * one the shaders here handle: float32 rank-4 x and filter, NHWC, dilation 1;
 * undefined for anything else (the caller then runs the backend's own kernel).
 */
export function plainConv2D(args: Parameters<KernelFunc>[0]):
  { x: TensorInfo; filter: TensorInfo; info: backend_util.Conv2DInfo } | undefined {
  const { x, filter } = args.inputs as { x?: TensorInfo; filter?: TensorInfo };
  const attrs = args.attrs as unknown as Conv2DAttrs;
  const dilations = typeof attrs.dilations === 'number' ? [attrs.dilations] : (attrs.dilations ?? [1]);
  const plain = x !== undefined && filter !== undefined && x.dtype === 'float32' && filter.dtype === 'float32' &&
    x.shape.length === 4 && filter.shape.length === 4 && (attrs.dataFormat ?? 'NHWC') === 'NHWC' &&
    dilations.every((d) => d === 1);
  if (!plain) return undefined;
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  return { x, filter, info };
}
