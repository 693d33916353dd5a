/**
 * What the WebGPU training kernels (./conv2d.ts, ./conv2dBackpropFilter.ts)
 * need from tfjs-backend-webgpu: running a shader program of ours on its
 * tensors and freeing intermediates. What they share with the WebGL kernels
 * is in ../shared/gpu.ts.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs';
import { product } from '../shared/checks';

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

/** The parts of tfjs-backend-webgpu's WebGPUBackend used here. */
export interface WebGPUBackendLike {
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
