/**
 * GatherV2 for tfjs-backend-wasm when it picks whole rows: axis 0, one list
 * of int32 indices, float32 or int32 values — how a training step takes its
 * batch from the dataset on the device. The backend's kernel computes every
 * element's source position (~5 ms for 256 rows of 262 values, 14 ms of 784,
 * a tenth of a step); this copies each row with one TypedArray.set.
 * Everything else, and any index out of range (so the error is the
 * backend's), goes to the replaced kernel.
 */
import type { GatherV2Attrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { product } from '../shared/checks';
import { asWasmBackend } from './backend';

export function makeGatherRows(replaced: KernelConfig): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x?: TensorInfo; indices?: TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs;
    const backend = asWasmBackend(args.backend);
    const rowsPicked =
      x !== undefined &&
      indices !== undefined &&
      x.shape.length >= 1 &&
      (axis === 0 || axis === -x.shape.length) &&
      !batchDims &&
      indices.shape.length === 1 &&
      indices.dtype === 'int32' &&
      (x.dtype === 'float32' || x.dtype === 'int32');
    if (!rowsPicked) return replaced.kernelFunc(args);
    const rows = x.shape[0];
    const picked = backend.typedArrayFromHeap(indices);
    for (const row of picked) if (row < 0 || row >= rows) return replaced.kernelFunc(args);

    const rowShape = x.shape.slice(1);
    const rowSize = product(rowShape);
    const out = backend.makeOutput([picked.length, ...rowShape], x.dtype);
    // Views after the allocation: growing the heap detaches earlier ones.
    const source = backend.typedArrayFromHeap(x);
    const order = backend.typedArrayFromHeap(indices);
    const target = backend.typedArrayFromHeap(out);
    for (let i = 0; i < order.length; i++) {
      const from = order[i] * rowSize;
      target.set(source.subarray(from, from + rowSize), i * rowSize);
    }
    return out;
  };
}
