/**
 * A network of LeNet's family as data: convolution blocks (each optionally
 * followed by a pooling layer), then hidden dense layers, then the 10-way
 * output. Activation, initializer and pooling type are global settings; what
 * differs per layer lives here, so the DJL notebook's 5×5 pools and its first
 * convolution without a bias are ordinary data.
 *
 * The share link writes it as `arch`, one token per layer joined by "-":
 *   c6k5p2-pool2-c16k5-pool2-d120-d84           (the book's LeNet)
 *   c<filters>k<kernel>[p<padding>][s<stride>][.nobias][.<initializer>]
 *   pool<window>[s<stride>][p<padding>]         (stride defaults to the window)
 *   d<units>
 * Only characters URLSearchParams leaves as they are, so a link stays short
 * and readable.
 */
import type { InitializerName } from './params';
import { INITIALIZERS } from './params';

export interface PoolBlock {
  window: number;
  stride: number;
  padding: number;
}

export interface ConvBlock {
  filters: number;
  kernel: number;
  /** Zero padding on every side, as PyTorch's `padding=`. */
  padding: number;
  stride: number;
  bias: boolean;
  /** This layer's own initializer; null follows the global setting. */
  init: InitializerName | null;
  pool: PoolBlock | null;
}

export interface Architecture {
  convs: ConvBlock[];
  /** Units of each hidden dense layer; the 10-way output follows them. */
  dense: number[];
}

export interface Range {
  min: number;
  max: number;
}

/** What the editor can make and the codec accepts. */
export const ARCH_LIMITS = {
  convBlocks: { min: 1, max: 6 },
  denseLayers: { min: 0, max: 4 },
  filters: { min: 1, max: 128 },
  kernel: { min: 1, max: 9 },
  padding: { min: 0, max: 4 },
  stride: { min: 1, max: 3 },
  window: { min: 1, max: 9 },
  units: { min: 1, max: 1024 },
  parameters: 5_000_000,
} as const satisfies Record<string, Range | number>;

/** The editor's number fields, with their visible labels; one table for labels and limits. */
export const CONV_FIELDS = [
  { key: 'filters', label: 'Filters', range: ARCH_LIMITS.filters },
  { key: 'kernel', label: 'Kernel size', range: ARCH_LIMITS.kernel },
  { key: 'padding', label: 'Padding', range: ARCH_LIMITS.padding },
  { key: 'stride', label: 'Stride', range: ARCH_LIMITS.stride },
] as const satisfies readonly { key: keyof ConvBlock; label: string; range: Range }[];

export const POOL_FIELDS = [
  { key: 'window', label: 'Window', range: ARCH_LIMITS.window },
  { key: 'stride', label: 'Stride', range: ARCH_LIMITS.stride },
  { key: 'padding', label: 'Padding', range: ARCH_LIMITS.padding },
] as const satisfies readonly { key: keyof PoolBlock; label: string; range: Range }[];

export const UNITS_FIELD = { label: 'Units', range: ARCH_LIMITS.units } as const;

/** A new block for "Add convolution block": 16 channels, 3×3, same size, 2×2 pool. */
export const NEW_CONV_BLOCK: ConvBlock = {
  filters: 16, kernel: 3, padding: 1, stride: 1, bias: true, init: null, pool: { window: 2, stride: 2, padding: 0 },
};
export const NEW_DENSE_UNITS = 64;
export const NEW_POOL: PoolBlock = { window: 2, stride: 2, padding: 0 };

export function formatArch(arch: Architecture): string {
  const tokens: string[] = [];
  for (const conv of arch.convs) {
    tokens.push(
      `c${conv.filters}k${conv.kernel}` +
      (conv.padding ? `p${conv.padding}` : '') +
      (conv.stride !== 1 ? `s${conv.stride}` : '') +
      (conv.bias ? '' : '.nobias') +
      (conv.init ? `.${conv.init}` : ''),
    );
    if (conv.pool) {
      const { window, stride, padding } = conv.pool;
      tokens.push(`pool${window}` + (stride !== window ? `s${stride}` : '') + (padding ? `p${padding}` : ''));
    }
  }
  for (const units of arch.dense) tokens.push(`d${units}`);
  return tokens.join('-');
}

export type ArchParse = { arch: Architecture; problem?: undefined } | { arch?: undefined; problem: string };

const MAX_ARCH_LENGTH = 400;
const CONV = /^c(\d{1,4})k(\d{1,2})(?:p(\d{1,2}))?(?:s(\d{1,2}))?((?:\.[a-z]+)*)$/;
const POOL = /^pool(\d{1,2})(?:s(\d{1,2}))?(?:p(\d{1,2}))?$/;
const DENSE = /^d(\d{1,5})$/;

function outside(what: string, value: number, range: Range): string | null {
  return value < range.min || value > range.max ? `${what} ${value} is outside ${range.min}–${range.max}` : null;
}

/**
 * Reads an `arch` value. Never throws; a problem names the first bad token
 * (by position and layer name) and says what is wrong with it. `shown`
 * makes text from the link safe to quote.
 */
export function parseArch(text: string, shown: (raw: string) => string = (raw) => raw): ArchParse {
  if (text.length > MAX_ARCH_LENGTH) return { problem: `is longer than ${MAX_ARCH_LENGTH} characters` };
  const tokens = text.trim().toLowerCase().split('-');
  const arch: Architecture = { convs: [], dense: [] };
  for (const [index, token] of tokens.entries()) {
    const bad = (why: string): ArchParse => ({ problem: `layer ${index + 1} ("${shown(token)}"): ${why}` });
    const conv = CONV.exec(token);
    const pool = POOL.exec(token);
    const dense = DENSE.exec(token);
    if (conv) {
      if (arch.dense.length) return bad('a convolution cannot follow a dense layer');
      const [filters, kernel, padding, stride] = [conv[1], conv[2], conv[3] ?? '0', conv[4] ?? '1'].map(Number);
      const flags = conv[5].split('.').filter(Boolean);
      let bias = true;
      let init: InitializerName | null = null;
      for (const flag of flags) {
        if (flag === 'nobias') bias = false;
        else if ((INITIALIZERS as readonly string[]).includes(flag)) init = flag as InitializerName;
        else return bad(`".${shown(flag)}" is neither .nobias nor an initializer (${INITIALIZERS.join(', ')})`);
      }
      const range = outside('filters', filters, ARCH_LIMITS.filters) ?? outside('kernel', kernel, ARCH_LIMITS.kernel) ??
        outside('padding', padding, ARCH_LIMITS.padding) ?? outside('stride', stride, ARCH_LIMITS.stride);
      if (range) return bad(range);
      arch.convs.push({ filters, kernel, padding, stride, bias, init, pool: null });
    } else if (pool) {
      const last = arch.convs.at(-1);
      if (!last || arch.dense.length) return bad('a pooling layer must follow a convolution');
      if (last.pool) return bad('a convolution block has at most one pooling layer');
      const window = Number(pool[1]);
      const stride = pool[2] === undefined ? window : Number(pool[2]);
      const padding = pool[3] === undefined ? 0 : Number(pool[3]);
      const range = outside('window', window, ARCH_LIMITS.window) ?? outside('stride', stride, ARCH_LIMITS.stride) ??
        outside('padding', padding, ARCH_LIMITS.padding);
      if (range) return bad(range);
      last.pool = { window, stride, padding };
    } else if (dense) {
      if (!arch.convs.length) return bad('dense layers come after the convolutions');
      const units = Number(dense[1]);
      const range = outside('units', units, ARCH_LIMITS.units);
      if (range) return bad(range);
      arch.dense.push(units);
    } else {
      return bad('not a layer (write c6k5p2, pool2 or d120)');
    }
  }
  const { convBlocks, denseLayers } = ARCH_LIMITS;
  if (arch.convs.length < convBlocks.min || arch.convs.length > convBlocks.max) {
    return { problem: `has ${arch.convs.length} convolution blocks; ${convBlocks.min}–${convBlocks.max} are allowed` };
  }
  if (arch.dense.length > denseLayers.max) {
    return { problem: `has ${arch.dense.length} hidden dense layers; at most ${denseLayers.max} are allowed` };
  }
  return { arch };
}
