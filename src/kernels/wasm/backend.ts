/**
 * Small helpers for kernels that run inside tfjs-backend-wasm: they work on
 * the backend's own tensors (TensorInfo + the wasm heap) and call the
 * backend's existing kernels directly, without going through the engine.
 *
 * Rules the kernels here follow:
 * - Every intermediate made with `makeOutput` or returned by another kernel
 *   is released with `disposeData` (the engine never sees it).
 * - Heap views are taken after the last allocation that precedes their use:
 *   growing the wasm memory detaches earlier views.
 */
import type { DataId, DataType, NamedAttrMap, TensorInfo, TypedArray } from '@tensorflow/tfjs';
import { callBackendKernel } from '../shared/registry';

export const WASM = 'wasm';

/** The parts of tfjs-backend-wasm's `BackendWasm` used here. */
export interface WasmBackendLike {
  dataIdMap: { get(dataId: DataId): { id: number; memoryOffset?: number } | undefined };
  incRef(dataId: DataId): void;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): TypedArray;
}

export function asWasmBackend(backend: unknown): WasmBackendLike {
  const b = backend as Partial<WasmBackendLike> | null;
  if (
    b === null ||
    typeof b !== 'object' ||
    typeof b.makeOutput !== 'function' ||
    typeof b.typedArrayFromHeap !== 'function' ||
    typeof b.disposeData !== 'function' ||
    typeof b.incRef !== 'function' ||
    b.dataIdMap === undefined
  ) {
    throw new Error('wasm training kernels: the backend is not the tfjs WebAssembly backend.');
  }
  return b as WasmBackendLike;
}

/** A float32 view of a tensor on the wasm heap (valid until the heap grows). */
export function f32(backend: WasmBackendLike, info: TensorInfo): Float32Array {
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) {
    throw new Error(`wasm training kernels: expected a float32 tensor, got ${info.dtype}.`);
  }
  return view;
}

/** Runs a kernel registered for 'wasm' directly; returns its single output. */
export function callKernel(
  kernelName: string,
  backend: WasmBackendLike,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  return callBackendKernel(WASM, kernelName, backend, inputs, attrs);
}

/** The same data under another shape (no copy; the caller must not dispose it). */
export function view(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

export function disposeAll(backend: WasmBackendLike, infos: ReadonlyArray<TensorInfo | undefined>): void {
  for (const info of infos) if (info !== undefined) backend.disposeData(info.dataId);
}
