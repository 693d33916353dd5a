/**
 * What the WebGL training kernels (./convolutions.ts) need from
 * tfjs-backend-webgl: running a shader program of ours on its tensors and
 * freeing intermediates. What they share with the WebGPU kernels is in
 * ../shared/gpu.ts.
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs';

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

/** The parts of tfjs-backend-webgl's MathBackendWebGL used here. */
export interface WebGLBackendLike {
  runWebGLProgram(program: WebGLProgramLike, inputs: TensorInfo[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: DataId): boolean;
}
