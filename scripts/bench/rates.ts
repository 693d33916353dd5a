/** The arithmetic rate a training speed stands for. Pure. */
import { presetConfig } from '../../src/core/config/params';
import { networkTable } from '../../src/core/model/architecture';

/** Multiply-adds of one image through the d2l LeNet's forward pass (416,520). */
export const D2L_MULTIPLY_ADDS = networkTable(presetConfig('d2l')).totalMultiplyAdds;

/**
 * GFLOP/s of training at `imagesPerSecond`: per image a forward pass and two
 * backward ones (input and weight gradients) of as many multiply-adds each,
 * 2 flops per multiply-add.
 */
export function gflops(imagesPerSecond: number, multiplyAdds = D2L_MULTIPLY_ADDS): number {
  return (6 * multiplyAdds * imagesPerSecond) / 1e9;
}

/** 416520 → "416,520". */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
