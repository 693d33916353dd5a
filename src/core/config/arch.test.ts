import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ARCH_LIMITS, formatArch, parseArch, type Architecture } from './arch';
import { validArch } from './arch.testing';

const DJL_TEXT = 'c6k5p2.nobias.normal-pool5s2p2-c16k5-pool5s2p2-d120-d84';
import { decode, encode } from './codec';
import {
  addConvBlock, addDenseLayer, removeConvBlock, removeDenseLayer, withConvField, withPoolField, withPooling, withPreset, withUnits,
} from './edits';
import { DEFAULT_CONFIG, presetConfig } from './params';
import { networkTable } from '../model/architecture';

describe('arch, the layer list in a link', () => {
  it('writes the presets as short, readable lists', () => {
    expect(formatArch(DEFAULT_CONFIG.arch)).toBe('c6k5p2-pool2-c16k5-pool2-d120-d84');
    expect(formatArch(presetConfig('djl').arch)).toBe(DJL_TEXT);
  });

  it('round-trips any valid architecture', () => {
    fc.assert(fc.property(validArch, (arch) => {
      expect(parseArch(formatArch(arch))).toEqual({ arch });
    }), { numRuns: 1000 });
  });

  it('keeps every link the editor can make under 200 characters', () => {
    const widest: Architecture = {
      convs: Array.from({ length: ARCH_LIMITS.convBlocks.max }, () => ({
        filters: 128, kernel: 9, padding: 4, stride: 3, bias: true, init: null,
        pool: { window: 9, stride: 3, padding: 4 },
      })),
      dense: Array.from({ length: ARCH_LIMITS.denseLayers.max }, () => 1024),
    };
    expect(encode({ ...DEFAULT_CONFIG, arch: widest }).length).toBeLessThan(200);
  });

  it('never throws on garbage, and names the bad layer', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }),
      fc.array(fc.constantFrom('c6k5', 'pool2', 'd10', 'x', '', 'c0k1', 'c1k99', 'pool9p9', 'd0', 'c6k5.nobias', 'c6k5.foo'))
        .map((tokens) => tokens.join('-'))), (text) => {
      const parsed = parseArch(text);
      expect(parsed.arch === undefined).toBe(parsed.problem !== undefined);
    }), { numRuns: 2000 });
    expect(parseArch('c6k5p2-pool2-c16k5-pol2-d120').problem).toBe('layer 4 ("pol2"): not a layer (write c6k5p2, pool2 or d120)');
    expect(parseArch('c6k5-d120-c16k5').problem).toBe('layer 3 ("c16k5"): a convolution cannot follow a dense layer');
    expect(parseArch('pool2-c6k5').problem).toBe('layer 1 ("pool2"): a pooling layer must follow a convolution');
    expect(parseArch('c6k5.relu').problem).toContain('".relu" is neither .nobias nor an initializer');
  });

  it('enforces the limits and says which', () => {
    expect(parseArch('c129k5').problem).toBe('layer 1 ("c129k5"): filters 129 is outside 1–128');
    expect(parseArch('c6k10').problem).toBe('layer 1 ("c6k10"): kernel 10 is outside 1–9');
    expect(parseArch('c6k5s4').problem).toBe('layer 1 ("c6k5s4"): stride 4 is outside 1–3');
    expect(parseArch('c6k5-d1025').problem).toBe('layer 2 ("d1025"): units 1025 is outside 1–1024');
    expect(parseArch(Array(7).fill('c1k1').join('-')).problem).toBe('has 7 convolution blocks; 1–6 are allowed');
    expect(parseArch(['c1k1', ...Array(5).fill('d1')].join('-')).problem).toBe('has 5 hidden dense layers; at most 4 are allowed');
    expect(parseArch('d10').problem).toBe('layer 1 ("d10"): dense layers come after the convolutions');
  });

  it('falls back to the preset\'s layers in a link, naming the bad part', () => {
    const { config, problems } = decode('preset=djl&arch=c6k5-zz');
    expect(config.arch).toEqual(presetConfig('djl').arch);
    expect(problems).toEqual([{ key: 'arch', message: 'layer 2 ("zz"): not a layer (write c6k5p2, pool2 or d120); using the djl preset\'s layers' }]);
  });

  it('refuses shapes that cannot work and networks over 5 million parameters, by layer', () => {
    expect(decode('arch=c6k5-pool2-c16k5-pool2-c32k5').problems[0].message)
      .toBe('conv3: its 5×5 kernel is larger than its 4×4 input; using the d2l preset\'s layers');
    expect(decode('arch=c6k5-pool9s3-pool2').problems[0].message).toContain('a convolution block has at most one pooling layer');
    expect(decode('arch=c6k5-pool9s3-c6k5-pool3').problems[0].message)
      .toBe('pool2: its 3×3 window is larger than its 2×2 input; using the d2l preset\'s layers');
    expect(decode('arch=c128k3p1-d1024-d1024').problems[0].message)
      .toBe('the network has 103,822,602 parameters; at most 5,000,000 can be trained here; using the d2l preset\'s layers');
  });

  it('is written only when it differs from the preset\'s', () => {
    expect(encode(presetConfig('djl'))).toBe('preset=djl');
    expect(encode({ ...DEFAULT_CONFIG, arch: presetConfig('djl').arch })).toBe(`arch=${DJL_TEXT}`);
  });
});

describe('editing the settings', () => {
  it('keeps dataset, backend and data sizes when the preset changes, and takes its layers', () => {
    const mine = { ...DEFAULT_CONFIG, dataset: 'mnist' as const, backend: 'wasm' as const, train: 512, test: 128, lr: 0.1 };
    const next = withPreset(addDenseLayer(mine), 'djl');
    expect(next).toEqual({ ...presetConfig('djl'), dataset: 'mnist', backend: 'wasm', train: 512, test: 128 });
  });

  it('edits one layer at a time and never leaves the limits', () => {
    let config = withConvField(DEFAULT_CONFIG, 1, 'kernel', 3);
    expect(networkTable(config).totalParameters).toBe(81_290);
    expect(DEFAULT_CONFIG.arch.convs[1].kernel).toBe(5); // the preset is not changed in place
    config = withPoolField(config, 0, 'window', 3);
    expect(config.arch.convs[0].pool).toEqual({ window: 3, stride: 2, padding: 0 });
    config = withPooling(withPooling(config, 1, false), 1, true);
    expect(config.arch.convs[1].pool).toEqual({ window: 2, stride: 2, padding: 0 });
    config = withUnits(config, 0, 60);
    expect(config.arch.dense).toEqual([60, 84]);
    for (let i = 0; i < 10; i++) config = addDenseLayer(addConvBlock(config));
    expect([config.arch.convs.length, config.arch.dense.length]).toEqual([6, 4]);
    for (let i = 0; i < 10; i++) config = removeDenseLayer(removeConvBlock(config, 0), 0);
    expect([config.arch.convs.length, config.arch.dense.length]).toEqual([1, 0]);
  });
});
