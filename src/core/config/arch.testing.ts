/** Random architectures for property tests (test code only: excluded from the core build). */
import fc from 'fast-check';
import { networkTable } from '../model/architecture';
import { ARCH_LIMITS, type Architecture, type ConvBlock, type PoolBlock } from './arch';
import { INITIALIZERS, presetConfig } from './params';

const between = ({ min, max }: { min: number; max: number }) => fc.integer({ min, max });

const pool: fc.Arbitrary<PoolBlock> = fc.record({
  window: between(ARCH_LIMITS.window), stride: between(ARCH_LIMITS.stride), padding: between(ARCH_LIMITS.padding),
}).filter((p) => 2 * p.padding <= p.window);

const conv: fc.Arbitrary<ConvBlock> = fc.record({
  filters: fc.oneof(fc.integer({ min: 1, max: 16 }), between(ARCH_LIMITS.filters)),
  kernel: between(ARCH_LIMITS.kernel),
  padding: between(ARCH_LIMITS.padding),
  stride: between(ARCH_LIMITS.stride),
  bias: fc.boolean(),
  init: fc.option(fc.constantFrom(...INITIALIZERS)),
  pool: fc.option(pool),
});

/** Any layer list the codec accepts: within the limits, with shapes that work. */
export const validArch: fc.Arbitrary<Architecture> = fc.record({
  convs: fc.array(conv, { minLength: ARCH_LIMITS.convBlocks.min, maxLength: ARCH_LIMITS.convBlocks.max }),
  dense: fc.array(fc.oneof(fc.integer({ min: 1, max: 200 }), between(ARCH_LIMITS.units)), { maxLength: ARCH_LIMITS.denseLayers.max }),
}).filter((arch) => networkTable({ ...presetConfig('d2l'), arch }).problems.length === 0);
